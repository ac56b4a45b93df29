import type { MarkupFlavor } from "./escape.js";

/**
 * Built-in handlebars templates, one pair (title, body) per markup flavour. They print the
 * enrichment block first when there is one, then status and counts, then each group with
 * its alerts in priority order. Routes can override them per destination type; at runtime
 * a failing override falls back to these.
 */
export interface TemplateSource {
  readonly title: string;
  readonly body: string;
}

const TITLE = "{{title}}";

const MARKDOWN_BODY = `{{#if enrichment}}**{{enrichment.headline}}**
{{#each enrichment.details}}
- {{label}}: {{text}}{{#if link}} {{link}}{{/if}}
{{/each}}

{{/if}}
{{#if isFollowUp}}*Update to an earlier message*

{{/if}}
**{{statusText}}** · {{counts.firing}} firing ({{counts.new}} new, {{counts.stillFiring}} still firing) · {{counts.resolved}} resolved{{#if part}} · part {{part.index}}/{{part.total}}{{/if}}
{{#each groups}}

---
{{#if ../isDigest}}**{{statusText}}** {{/if}}{{#each groupLabels}}{{name}}: {{value}}  {{/each}}
{{#if commonLabels.length}}
{{#each commonLabels}}{{name}}={{value}} {{/each}}
{{/if}}
{{#each alerts}}

- **{{statusText}}** {{name}}{{#if severity}} [{{severity}}]{{/if}}{{#if isNew}} (new){{/if}}{{#if summary}}: {{summary}}{{/if}}
{{#if description}}
  {{description}}
{{/if}}
{{#if labels.length}}
  {{#each labels}}{{name}}={{value}} {{/each}}
{{/if}}
  {{period}}{{#if links.runbook}} · {{links.runbook}}{{/if}}{{#if links.source}} · {{links.source}}{{/if}}
{{/each}}
{{#if omitted}}

+{{omitted}} more
{{/if}}
{{#if links.incident}}

{{links.incident}}
{{/if}}
{{#if links.silence}}

{{links.silence}} · {{links.alertmanager}}
{{/if}}
{{/each}}
{{#if isDigest}}
{{#if omitted}}

({{plural omitted "alert"}} not shown)
{{/if}}
{{/if}}`;

const SLACK_BODY = `{{#if enrichment}}*{{enrichment.headline}}*
{{#each enrichment.details}}
• {{label}}: {{text}}{{#if link}} {{link}}{{/if}}
{{/each}}

{{/if}}
{{#if isFollowUp}}_Update to an earlier message_

{{/if}}
*{{statusText}}* · {{counts.firing}} firing ({{counts.new}} new, {{counts.stillFiring}} still firing) · {{counts.resolved}} resolved{{#if part}} · part {{part.index}}/{{part.total}}{{/if}}
{{#each groups}}

{{#if ../isDigest}}*{{statusText}}* {{/if}}{{#each groupLabels}}{{name}}: {{value}}  {{/each}}
{{#if commonLabels.length}}
{{#each commonLabels}}\`{{name}}={{value}}\` {{/each}}
{{/if}}
{{#each alerts}}
• *{{statusText}}* {{name}}{{#if severity}} [{{severity}}]{{/if}}{{#if isNew}} (new){{/if}}{{#if summary}}: {{summary}}{{/if}}
{{#if description}}
    {{description}}
{{/if}}
{{#if labels.length}}
    {{#each labels}}\`{{name}}={{value}}\` {{/each}}
{{/if}}
    {{period}}{{#if links.runbook}} · {{links.runbook}}{{/if}}{{#if links.source}} · {{links.source}}{{/if}}
{{/each}}
{{#if omitted}}
+{{omitted}} more
{{/if}}
{{#if links.incident}}
{{links.incident}}
{{/if}}
{{#if links.silence}}
{{links.silence}} · {{links.alertmanager}}
{{/if}}
{{/each}}`;

const HTML_BODY = `{{#if enrichment}}<p><strong>{{enrichment.headline}}</strong></p>
<ul>{{#each enrichment.details}}<li>{{label}}: {{text}}{{#if link}} {{link}}{{/if}}</li>{{/each}}</ul>
{{/if}}
{{#if isFollowUp}}<p><em>Update to an earlier message</em></p>
{{/if}}
<p><strong>{{statusText}}</strong> · {{counts.firing}} firing ({{counts.new}} new, {{counts.stillFiring}} still firing) · {{counts.resolved}} resolved{{#if part}} · part {{part.index}}/{{part.total}}{{/if}}</p>
{{#each groups}}
<hr>
<p>{{#each groupLabels}}{{name}}: {{value}} {{/each}}{{#each commonLabels}}<code>{{name}}={{value}}</code> {{/each}}</p>
<ul>
{{#each alerts}}
<li><strong>{{statusText}}</strong> {{name}}{{#if severity}} [{{severity}}]{{/if}}{{#if isNew}} (new){{/if}}{{#if summary}}: {{summary}}{{/if}}{{#if description}}<br>{{description}}{{/if}}{{#if labels.length}}<br>{{#each labels}}<code>{{name}}={{value}}</code> {{/each}}{{/if}}<br>{{period}}{{#if links.runbook}} · {{links.runbook}}{{/if}}{{#if links.source}} · {{links.source}}{{/if}}</li>
{{/each}}
</ul>
{{#if omitted}}<p>+{{omitted}} more</p>
{{/if}}
{{#if links.incident}}<p>{{links.incident}}</p>
{{/if}}
{{#if links.silence}}<p>{{links.silence}} · {{links.alertmanager}}</p>
{{/if}}
{{/each}}`;

const PLAIN_BODY = `{{#if enrichment}}{{enrichment.headline}}
{{#each enrichment.details}}
  - {{label}}: {{text}}{{#if link}} {{link}}{{/if}}
{{/each}}

{{/if}}
{{#if isFollowUp}}(update to an earlier message)
{{/if}}
{{statusText}}: {{counts.firing}} firing ({{counts.new}} new, {{counts.stillFiring}} still firing), {{counts.resolved}} resolved{{#if part}}, part {{part.index}}/{{part.total}}{{/if}}
{{#each groups}}
== {{#each groupLabels}}{{name}}={{value}} {{/each}}[{{receiver}}]
{{#if commonLabels.length}}
   {{#each commonLabels}}{{name}}={{value}} {{/each}}
{{/if}}
{{#each alerts}}
  * {{statusText}} {{name}}{{#if severity}} [{{severity}}]{{/if}}{{#if isNew}} (new){{/if}}{{#if summary}}: {{summary}}{{/if}}
{{#if description}}
      {{description}}
{{/if}}
{{#if labels.length}}
      {{#each labels}}{{name}}={{value}} {{/each}}
{{/if}}
      {{period}}{{#if links.runbook}}; {{links.runbook}}{{/if}}{{#if links.source}}; {{links.source}}{{/if}}
{{/each}}
{{#if omitted}}
  +{{omitted}} more
{{/if}}
{{#if links.incident}}
  {{links.incident}}
{{/if}}
{{#if links.silence}}
  {{links.silence}}
{{/if}}
{{/each}}`;

export const BUILTIN_TEMPLATES: Readonly<Record<MarkupFlavor, TemplateSource>> = {
  markdown: { title: TITLE, body: MARKDOWN_BODY },
  teams: { title: TITLE, body: MARKDOWN_BODY },
  discord: { title: TITLE, body: MARKDOWN_BODY },
  slack: { title: TITLE, body: SLACK_BODY },
  html: { title: TITLE, body: HTML_BODY },
  plain: { title: TITLE, body: PLAIN_BODY },
};
