# The two commands of the README's quick start. Both install what is missing first.
.PHONY: setup demo test bench

setup:
	@bash scripts/setup.sh

demo: setup
	node bin/flowd.js demo

test: setup
	npx vitest run

bench: setup
	npm run bench
