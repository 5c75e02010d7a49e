package backup

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/portalescuole/portalescuole/store"
)

// oggetto is any object line of the stream after the header: a table's
// header or the trailer.
type oggetto struct {
	Tabella       string            `json:"tabella"`
	Colonne       []string          `json:"colonne"`
	Tipi          []string          `json:"tipi"`
	Fine          bool              `json:"fine"`
	Righe         map[string]int64  `json:"righe"`
	SHA256        string            `json:"sha256"`
	SHA256Tabelle map[string]string `json:"sha256_tabelle"`
}

func corrotto(format string, args ...any) error {
	return fmt.Errorf("ripristino: %w: %s", ErrCorrotto, fmt.Sprintf(format, args...))
}

// lettore reads the stream's lines.
type lettore struct {
	br *bufio.Reader
	n  int // line number, for messages
}

// riga returns the next line without its newline; io.EOF at the end. A
// last line without newline is refused: the writer always ends with one.
func (l *lettore) riga() ([]byte, error) {
	line, err := l.br.ReadBytes('\n')
	if err == io.EOF {
		if len(line) > 0 {
			return nil, corrotto("riga %d troncata", l.n+1)
		}
		return nil, io.EOF
	} else if err != nil {
		return nil, corrotto("%v", err)
	}
	l.n++
	return line[:len(line)-1], nil
}

// Restore loads a dump written by Backup into db, which must be freshly
// migrated to the same schema version and hold no data at all; the dump
// may come from either dialect. Everything happens in one transaction:
// the stream's hashes and counts, and a read-back of the restored tables
// in canonical form, are checked before it commits, so a corrupted or
// truncated dump restores nothing. In PostgreSQL the identity sequences
// are moved past the restored ids.
func Restore(ctx context.Context, db *store.DB, r io.Reader) (Summary, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return Summary{}, corrotto("non è un file gzip: %v", err)
	}
	defer zr.Close()
	zr.Multistream(false)
	cnt := &contaLetti{r: zr}
	l := &lettore{br: bufio.NewReaderSize(cnt, 1<<16)}

	line, err := l.riga()
	if err == io.EOF {
		return Summary{}, corrotto("file vuoto")
	} else if err != nil {
		return Summary{}, err
	}
	var head intestazione
	if err := json.Unmarshal(line, &head); err != nil || head.Formato != Formato {
		return Summary{}, fmt.Errorf("ripristino: %w: non è un backup di Portale Scuole", ErrCorrotto)
	}
	if head.Versione != Versione {
		return Summary{}, fmt.Errorf("ripristino: versione del formato %d non supportata (questo programma legge la %d)", head.Versione, Versione)
	}
	sum := Summary{Migrazione: head.Migrazione, Dialetto: store.Dialect(head.Dialetto)}
	sum.Creato, _ = time.Parse(time.RFC3339, head.Creato)

	d := db.Dialect()
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return Summary{}, fmt.Errorf("ripristino: %w", err)
	}
	defer tx.Rollback()
	ver, err := versioneMigrazione(ctx, tx)
	if err != nil {
		return Summary{}, fmt.Errorf("ripristino: %w", err)
	}
	if ver != head.Migrazione {
		return Summary{}, fmt.Errorf("ripristino: %w: il backup è allo schema %d, il database di destinazione allo schema %d; "+
			"ripristinare in un database creato dalla stessa versione del programma, poi aggiornarlo con quella nuova", ErrMigrazione, head.Migrazione, ver)
	}
	tabelle, err := leggiSchema(ctx, tx, d)
	if err != nil {
		return Summary{}, fmt.Errorf("ripristino: %w", err)
	}
	target := map[string]*tabella{}
	for _, t := range tabelle {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM `+quote(t.nome)+` LIMIT 1`).Scan(&one)
		if err == nil {
			return Summary{}, fmt.Errorf("ripristino: %w (la tabella %s contiene dati): "+
				"il ripristino va fatto in un database appena creato", ErrNonVuoto, t.nome)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return Summary{}, fmt.Errorf("ripristino: %w", err)
		}
		target[t.nome] = t
	}
	// Tables come parents first, so foreign keys hold row by row; SQLite
	// may still defer the check to the commit (self-references), and so
	// does PostgreSQL for the constraints declared deferrable.
	if d == store.Postgres {
		_, err = tx.ExecContext(ctx, `SET CONSTRAINTS ALL DEFERRED`)
	} else {
		_, err = tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`)
	}
	if err != nil {
		return Summary{}, fmt.Errorf("ripristino: %w", err)
	}

	var (
		tot     = sha256.New()
		cur     *inseritore
		th      hash.Hash
		visti   = map[string]bool{}
		end     *oggetto
		righe   = map[string]int64{}
		hashTab = map[string]string{}
		// errIns is the first error in the content (a table or columns
		// the target lacks, a value or row it refuses): nothing more is
		// inserted, but the rest of the stream is still read and hashed,
		// so that a corrupted dump is reported as such rather than as the
		// symptom its damage happened to cause.
		errIns error
	)
	chiudi := func() {
		if cur == nil {
			return
		}
		if errIns == nil {
			if err := cur.flush(ctx); err != nil {
				errIns = fmt.Errorf("ripristino: %w", err)
			}
		}
		righe[cur.t.nome] = cur.n
		hashTab[cur.t.nome] = hex.EncodeToString(th.Sum(nil))
		sum.Tabelle = append(sum.Tabelle, Tabella{Nome: cur.t.nome, Righe: cur.n, SHA256: hashTab[cur.t.nome]})
		sum.Righe += cur.n
		cur = nil
	}
	for end == nil {
		line, err := l.riga()
		if err == io.EOF {
			return Summary{}, corrotto("manca la chiusura del backup (file troncato?)")
		} else if err != nil {
			return Summary{}, err
		}
		switch {
		case len(line) > 0 && line[0] == '[':
			if cur == nil {
				return Summary{}, corrotto("riga %d: dati fuori da una tabella", l.n)
			}
			hashLine(tot, line)
			hashLine(th, line)
			cur.n++
			if errIns == nil {
				if err := cur.aggiungi(ctx, line); err != nil {
					errIns = fmt.Errorf("ripristino: riga %d: %w", l.n, err)
				}
			}
		case len(line) > 0 && line[0] == '{':
			var o oggetto
			if err := json.Unmarshal(line, &o); err != nil {
				return Summary{}, corrotto("riga %d: %v", l.n, err)
			}
			chiudi()
			if o.Fine {
				end = &o
				break
			}
			hashLine(tot, line)
			th = sha256.New()
			hashLine(th, line)
			t, ok := target[o.Tabella]
			if visti[o.Tabella] {
				return Summary{}, corrotto("riga %d: la tabella %s compare due volte", l.n, o.Tabella)
			}
			visti[o.Tabella] = true
			switch {
			case !ok:
				t = &tabella{nome: o.Tabella}
				if errIns == nil {
					errIns = fmt.Errorf("ripristino: %w: la tabella %q del backup non esiste nel database di destinazione", ErrMigrazione, o.Tabella)
				}
			case !slices.Equal(o.Colonne, t.nomiColonne()) || !slices.Equal(o.Tipi, t.tipi()):
				if errIns == nil {
					errIns = fmt.Errorf("ripristino: %w: le colonne della tabella %s non corrispondono (backup %v %v, destinazione %v %v)",
						ErrMigrazione, t.nome, o.Colonne, o.Tipi, t.nomiColonne(), t.tipi())
				}
			}
			cur = newInseritore(tx, t, d)
		default:
			return Summary{}, corrotto("riga %d non valida", l.n)
		}
	}
	// Nothing may follow the trailer; reading to the end also makes gzip
	// check its CRC and length.
	if rest, err := io.Copy(io.Discard, l.br); err != nil {
		return Summary{}, corrotto("%v", err)
	} else if rest > 0 {
		return Summary{}, corrotto("dati dopo la chiusura del backup")
	}
	sum.SHA256 = hex.EncodeToString(tot.Sum(nil))
	if sum.SHA256 != end.SHA256 {
		return Summary{}, corrotto("l'impronta SHA-256 del contenuto non corrisponde (attesa %s, calcolata %s)", end.SHA256, sum.SHA256)
	}
	for name, n := range end.Righe {
		if righe[name] != n || !visti[name] {
			return Summary{}, corrotto("tabella %s: attese %d righe, lette %d", name, n, righe[name])
		}
	}
	for name, h := range end.SHA256Tabelle {
		if hashTab[name] != h {
			return Summary{}, corrotto("tabella %s: impronta SHA-256 diversa", name)
		}
	}
	if len(end.Righe) != len(righe) || len(end.SHA256Tabelle) != len(hashTab) {
		return Summary{}, corrotto("la chiusura non elenca le tabelle lette")
	}
	// The stream is intact: any error now is the dump's or the target's.
	if errIns != nil {
		return Summary{}, errIns
	}
	for _, t := range tabelle {
		if !visti[t.nome] {
			return Summary{}, fmt.Errorf("ripristino: %w: la tabella %s manca nel backup", ErrMigrazione, t.nome)
		}
	}

	// Read back what was inserted, in canonical form: it must hash as in
	// the dump (catches any value a driver would have altered).
	got, err := contenuto(ctx, tx, d)
	if err != nil {
		return Summary{}, fmt.Errorf("ripristino: verifica: %w", err)
	}
	if diff := Differenze(hashTab, got); len(diff) > 0 {
		return Summary{}, fmt.Errorf("ripristino: i dati riletti non corrispondono al backup nelle tabelle %s", strings.Join(diff, ", "))
	}
	if d == store.Postgres {
		if err := allineaSequenze(ctx, tx, target); err != nil {
			return Summary{}, fmt.Errorf("ripristino: sequenze: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return Summary{}, fmt.Errorf("ripristino: %w", err)
	}
	sum.Byte = cnt.n
	return sum, nil
}

// contaLetti counts the bytes read through it.
type contaLetti struct {
	r io.Reader
	n int64
}

func (c *contaLetti) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// allineaSequenze moves every identity or serial sequence of the restored
// tables past the largest id, so that later inserts do not collide.
func allineaSequenze(ctx context.Context, tx *sql.Tx, target map[string]*tabella) error {
	rows, err := tx.QueryContext(ctx, `SELECT table_name, column_name,
			pg_get_serial_sequence(quote_ident(table_schema) || '.' || quote_ident(table_name), column_name)
		FROM information_schema.columns
		WHERE table_schema = current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')
		ORDER BY table_name, column_name`)
	if err != nil {
		return err
	}
	type seq struct{ t, c, s string }
	var seqs []seq
	for rows.Next() {
		var (
			x seq
			s sql.NullString
		)
		if err := rows.Scan(&x.t, &x.c, &s); err != nil {
			rows.Close()
			return err
		}
		if s.Valid && target[x.t] != nil {
			x.s = s.String
			seqs = append(seqs, x)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, x := range seqs {
		if _, err := tx.ExecContext(ctx, `SELECT setval($1, GREATEST(COALESCE((SELECT MAX(`+quote(x.c)+`) FROM `+quote(x.t)+`), 0) + 1, 1), false)`,
			x.s); err != nil {
			return fmt.Errorf("%s.%s: %w", x.t, x.c, err)
		}
	}
	return nil
}

// inseritore inserts a table's rows in multi-row INSERTs.
type inseritore struct {
	tx      *sql.Tx
	t       *tabella
	max     int // rows per statement
	args    []any
	righe   int   // rows in args
	size    int   // approximate bytes in args
	n       int64 // rows read (counted by the caller)
	pg      bool
	queries map[int]string
}

func newInseritore(tx *sql.Tx, t *tabella, d store.Dialect) *inseritore {
	// Well below SQLite's 32766 and PostgreSQL's 65535 parameters.
	return &inseritore{tx: tx, t: t, pg: d == store.Postgres, max: max(1, min(500, 8000/max(1, len(t.colonne)))), queries: map[int]string{}}
}

func (in *inseritore) aggiungi(ctx context.Context, line []byte) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var vals []any
	if err := dec.Decode(&vals); err != nil {
		return corrotto("%v", err)
	}
	if dec.More() {
		return corrotto("dati in più sulla riga")
	}
	if len(vals) != len(in.t.colonne) {
		return corrotto("%d valori per %d colonne", len(vals), len(in.t.colonne))
	}
	for i, c := range in.t.colonne {
		v, err := valoreDa(c.tipo, vals[i])
		if err != nil {
			return corrotto("%s.%s: %v", in.t.nome, c.nome, err)
		}
		in.args = append(in.args, v)
	}
	in.righe++
	in.size += len(line)
	if in.righe >= in.max || in.size >= 4<<20 {
		return in.flush(ctx)
	}
	return nil
}

func (in *inseritore) flush(ctx context.Context) error {
	if in.righe == 0 {
		return nil
	}
	q, ok := in.queries[in.righe]
	if !ok {
		var b strings.Builder
		cols := make([]string, len(in.t.colonne))
		for i, c := range in.t.colonne {
			cols[i] = quote(c.nome)
		}
		b.WriteString(`INSERT INTO ` + quote(in.t.nome) + ` (` + joinComma(cols) + `) `)
		if in.pg {
			// Explicit ids even into GENERATED ALWAYS identity columns
			// (the schema's are BY DEFAULT, where this changes nothing).
			b.WriteString(`OVERRIDING SYSTEM VALUE `)
		}
		b.WriteString(`VALUES `)
		p := 1
		for r := 0; r < in.righe; r++ {
			if r > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('(')
			for c := range in.t.colonne {
				if c > 0 {
					b.WriteByte(',')
				}
				if in.pg {
					b.WriteByte('$')
					b.WriteString(strconv.Itoa(p))
					p++
				} else {
					// SQLite resolves $n as a name, quadratically in the
					// number of parameters; ? is positional.
					b.WriteByte('?')
				}
			}
			b.WriteByte(')')
		}
		q = b.String()
		in.queries[in.righe] = q
	}
	if _, err := in.tx.ExecContext(ctx, q, in.args...); err != nil {
		return fmt.Errorf("inserimento in %s: %w", in.t.nome, err)
	}
	in.args, in.righe, in.size = in.args[:0], 0, 0
	return nil
}
