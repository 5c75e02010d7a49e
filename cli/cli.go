// Package cli implements the portalescuole command: serve, migrate,
// user add and import. main only calls Run, so tests run commands in-process.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/portalescuole/portalescuole/evaluate"
	"github.com/portalescuole/portalescuole/web"
)

// DefaultDB is the SQLite file used when --db is not given.
const DefaultDB = "data/portale.db"

const usage = `portalescuole: Portale Scuole, sorveglianza delle assenze scolastiche

Uso:
  portalescuole serve   [--addr 127.0.0.1:8080] [--db PATH|postgres://...] [--demo] [--smtp-host H ...]
  portalescuole migrate [--db ...]
  portalescuole user add --role plesso|istituto|ats|admin --username NOME [--plesso CODICE] [--istituto CODICE] [--email E] [--db ...]
                         (la password è letta dallo standard input)
  portalescuole import  [--db ...] [--kind statali|paritarie|studenti|comuni|distretti] [--anno 2024/25] [--dry-run] [--province CR,MN] FILE
  portalescuole detect  --method ears-c1|ears-c2|ears-c3|ears-c3-cdc|cusum|cusum-reset|farrington|ewma|rate|dow|scuola|livello|default [--param chiave=valore ...]
                         (CSV date,count[,denominator] sullo standard input; CSV date,count,expected,upperbound,alarm in uscita)
  portalescuole generate --plessi 40000 --years 5 --db ... [--seed 1] [--quota 0.05]   (dati sintetici nazionali, database vuoto)
  portalescuole backup  --db ... --out FILE.jsonl.gz   (copia online e coerente, SQLite o PostgreSQL)
  portalescuole restore --db ... --in FILE.jsonl.gz    (in un database vuoto; verifica il contenuto)
  portalescuole load    --url http://127.0.0.1:8080 --db ... [--duration 30s] [--concurrency 32] [--plessi 200]
                         (carico sul server in esecuzione; poi verifica nel database ogni scrittura confermata)
  portalescuole scan    --db ... [--today AAAA-MM-GG]
                         (rilevazione completa: ogni aggregato e ogni plesso, tutti gli anni; tempi e memoria)
  portalescuole emergency start|stop|status --db ... [--scope provincia:CR] [--from AAAA-MM-GG] [--deadline 10:00]
                         (modalità emergenza: tutti i plessi dell'ambito inseriscono le assenze ogni giorno)
  portalescuole evaluate [--nsim 40] [--doc docs/detection.md] [--csv FILE]  (qualità dei rilevatori su stagioni simulate)

I comandi hanno nomi inglesi; i vecchi nomi "carico" (= load) e "rileva" (= scan) restano validi.
--db accetta il percorso di un file SQLite (predefinito: ` + DefaultDB + `) o un DSN postgres://.
`

// Run executes the command line args (without the program name).
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], stdout, stderr)
	case "migrate":
		err = migrate(ctx, args[1:], stdout, stderr)
	case "user":
		if len(args) < 2 || args[1] != "add" {
			fmt.Fprint(stderr, usage)
			return 2
		}
		err = userAdd(ctx, args[2:], stdin, stdout, stderr)
	case "import":
		err = importCmd(ctx, args[1:], stdout, stderr)
	case "detect":
		err = detectCmd(args[1:], stdin, stdout, stderr)
	case "evaluate":
		return evaluate.Main(args[1:], stdout, stderr)
	case "generate":
		err = generateCmd(ctx, args[1:], stdout, stderr)
	case "backup":
		err = backupCmd(ctx, args[1:], stdout, stderr)
	case "restore":
		err = restoreCmd(ctx, args[1:], stdout, stderr)
	case "load", "carico":
		err = caricoCmd(ctx, args[1:], stdout, stderr)
	case "scan", "rileva":
		err = rilevaCmd(ctx, args[1:], stdout, stderr)
	case "emergency":
		err = emergencyCmd(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "comando sconosciuto %q\n\n%s", args[0], usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "errore:", err)
		return 1
	}
	return 0
}

func newFlags(name string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", envOr("PORTALE_DB", DefaultDB), "file SQLite o DSN postgres:// (env PORTALE_DB)")
	return fs, db
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// tr gives the Italian text of a domain message key, from the web's
// catalogue.
func tr(key string) string { return web.Testo("it", key) }

// alias accepts old, the Italian name a flag had, for new: commands and
// flags are English, and what users type keeps working.
func alias(fs *flag.FlagSet, old, new string) {
	if f := fs.Lookup(new); f != nil {
		fs.Var(f.Value, old, "nome precedente di --"+new)
	}
}
