import type { Credentials } from "../../core/server/auth.js";
import type { ActionConfig, ActionsSettings } from "../actions/action-config.js";
import type { PayloadLimits } from "../payload/payload-limits.js";
import type { AnalysisConfig } from "../evidence/analysis-config.js";
import type { DestinationConfigFile } from "./config-schema.js";
import type { DestinationType, RateLimit } from "../destinations/destination.js";
import type { CompiledTemplates } from "../render/template-engine.js";
import type { Route } from "../routing/route-notification.js";

/** A destination with its secrets resolved; turned into a Destination by make-destination.ts. */
export interface DestinationConfig {
  readonly name: string;
  readonly type: DestinationType;
  readonly file: DestinationConfigFile;
  /** Resolved secrets by key: url, secret, password, header:<name>. */
  readonly secrets: Readonly<Record<string, string>>;
  readonly rateLimit: RateLimit;
  readonly maxSplit: number;
  readonly timeoutMs: number;
  readonly sizeLimit?: number;
}

export interface RouteConfig extends Route {
  /** Template overrides by destination type. */
  readonly templates: Readonly<Partial<Record<DestinationType, CompiledTemplates>>>;
  /** Automated actions of this route. */
  readonly actions: readonly ActionConfig[];
}

/** SQLite (one replica, the default) or PostgreSQL (shared by several replicas). */
export type StorageConfig =
  | {
      readonly kind: "sqlite";
      readonly path: string;
      readonly synchronous: "full" | "normal";
      readonly historyRetentionMs: number;
    }
  | {
      readonly kind: "postgres";
      /** The resolved connection URL (a secret: never logged). */
      readonly url: string;
      readonly maxConnections: number;
      /** Named statements, prepared once per connection (store/postgres/prepared-statements.ts). */
      readonly preparedStatements: boolean;
      readonly historyRetentionMs: number;
    };

/** The validated, resolved configuration; frozen by the ConfigReloader. */
export interface ReceiverConfig {
  readonly file: string;
  readonly credentials: Credentials;
  readonly maxBodyBytes: number;
  /** Where people reach the receiver (`web.external_url`): incident links in messages. */
  readonly externalUrl?: string;
  readonly storage: StorageConfig;
  readonly limits: PayloadLimits;
  readonly dedupWindowMs: number;
  readonly delivery: {
    readonly timeoutMs: number;
    readonly maxAttempts: number;
    readonly maxAgeMs: number;
    readonly initialBackoffMs: number;
    readonly maxBackoffMs: number;
    readonly maxDigest: number;
  };
  /** The enrich stage's deadline: a message never waits longer for its evidence. */
  readonly enrichmentTimeoutMs: number;
  /** Root-cause analysis; undefined when no Prometheus is configured. */
  readonly analysis: AnalysisConfig | undefined;
  readonly actions: ActionsSettings;
  readonly destinations: readonly DestinationConfig[];
  readonly routes: readonly RouteConfig[];
  readonly defaultRoute: RouteConfig;
  /** Every resolved secret value, for log redaction. */
  readonly secretValues: readonly string[];
}
