# The README's two commands: `make demo` (the main job) and `make test` (the whole suite).
# Both install what they need first: Debian packages (scripts/install-deps.sh) and npm deps.
.PHONY: demo test bench deps

deps: node_modules/.installed
	bash scripts/install-deps.sh

node_modules/.installed: package.json package-lock.json
	npm ci
	touch $@

demo: deps
	npm run demo

test: deps
	npm test

bench: deps
	npm run bench
