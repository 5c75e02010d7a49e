// Command evaluate runs evaluate.Main, the body of `portalescuole
// evaluate`, until the subcommand is wired into package cli:
//
//	go run ./evaluate/cmd/evaluate -doc docs/detection.md
package main

import (
	"os"

	"github.com/portalescuole/portalescuole/evaluate"
)

func main() { os.Exit(evaluate.Main(os.Args[1:], os.Stdout, os.Stderr)) }
