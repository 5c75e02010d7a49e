// Command portalescuole runs Portale Scuole; see package cli.
package main

import (
	"context"
	"os"

	"github.com/portalescuole/portalescuole/cli"
)

func main() {
	os.Exit(cli.Run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
