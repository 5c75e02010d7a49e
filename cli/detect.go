package cli

import (
	"errors"
	"flag"
	"io"
	"strings"

	"github.com/portalescuole/portalescuole/detect"
)

func detectCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("detect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	method := fs.String("method", "", "metodo: "+strings.Join(detect.Methods(), ", "))
	var params []string
	fs.Func("param", "parametro chiave=valore con i nomi di R (ripetibile)", func(v string) error {
		params = append(params, v)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *method == "" || fs.NArg() > 0 {
		return errors.New("indicare --method; metodi: " + strings.Join(detect.Methods(), ", "))
	}
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	return detect.Run(*method, params, stdin, stdout)
}
