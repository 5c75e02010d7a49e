// Package backup dumps the portal's database to a portable stream and
// restores it, into SQLite or PostgreSQL whichever it came from.
//
// Backup is online and consistent: every table is read in one read
// transaction, so the dump is the database at one instant even while the
// portal keeps writing.
//
//   - PostgreSQL: BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY. The
//     snapshot is taken at the first query and holds for the whole dump;
//     writers are never blocked (MVCC).
//   - SQLite (WAL mode, as store opens it): BeginTx with ReadOnly makes
//     modernc.org/sqlite issue a plain (deferred) BEGIN instead of the
//     BEGIN IMMEDIATE that store's _txlock=immediate asks for, so no write
//     lock is taken. The first SELECT (the migration version) fixes the
//     WAL snapshot, which later commits do not change; writers go on
//     committing to the WAL meanwhile (only checkpoints cannot pass the
//     reader's mark until the dump ends).
//
// The stream is gzip-compressed JSON lines, one object or array per line:
//
//	{"formato":"portalescuole-backup","versione":1,"migrazione":4,"dialetto":"sqlite","creato":"2026-11-26T10:00:00Z"}
//	{"tabella":"audit","colonne":["action","at",...],"tipi":["text","text",...]}
//	[ "login", "2026-11-26T09:00:00.000000Z", ... ]      one array per row
//	...                                                  more tables
//	{"fine":true,"righe":{"audit":12,...},"sha256":"…","sha256_tabelle":{"audit":"…",...}}
//
// Tables come parents first (foreign keys; ties by name), columns in name
// order, rows in primary-key order with text compared bytewise, values in
// the canonical form described in codec.go. Apart from the header line two
// dumps of the same content are therefore byte-identical, whichever
// dialect they were read from. sha256 covers every line between header and
// trailer (each with its "\n"); sha256_tabelle covers each table's own
// lines, and is what Contenuto returns.
package backup

import (
	"bufio"
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
	"time"

	"github.com/portalescuole/portalescuole/store"
)

// Formato and Versione identify the stream; Restore refuses any other.
const (
	Formato  = "portalescuole-backup"
	Versione = 1
)

// Errors a caller may want to tell apart (errors.Is).
var (
	ErrNonVuoto   = errors.New("il database di destinazione non è vuoto")
	ErrMigrazione = errors.New("versione dello schema diversa")
	ErrCorrotto   = errors.New("backup corrotto o incompleto")
)

// Tabella is one table of a dump.
type Tabella struct {
	Nome   string
	Righe  int64
	SHA256 string // of its lines in canonical form, as Contenuto computes it
}

// Summary describes a dump written or restored.
type Summary struct {
	Migrazione int64         // goose version of the schema
	Dialetto   store.Dialect // of the database the dump was read from
	Creato     time.Time     // when the dump was taken
	Tabelle    []Tabella     // in dump order
	Righe      int64         // all tables
	Byte       int64         // uncompressed length of the stream
	SHA256     string        // of the content (header and trailer excluded)
}

// Contenuto returns the per-table hashes of the summary, comparable with
// the package-level Contenuto of a database.
func (s Summary) Contenuto() map[string]string {
	out := make(map[string]string, len(s.Tabelle))
	for _, t := range s.Tabelle {
		out[t.Nome] = t.SHA256
	}
	return out
}

// Differenze lists, in name order, the tables whose hashes differ between
// two Contenuto maps or that only one of them has.
func Differenze(a, b map[string]string) []string {
	var out []string
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			out = append(out, k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

type intestazione struct {
	Formato    string `json:"formato"`
	Versione   int    `json:"versione"`
	Migrazione int64  `json:"migrazione"`
	Dialetto   string `json:"dialetto"`
	Creato     string `json:"creato"`
}

type intestazioneTabella struct {
	Tabella string   `json:"tabella"`
	Colonne []string `json:"colonne"`
	Tipi    []string `json:"tipi"`
}

type chiusura struct {
	Fine          bool              `json:"fine"`
	Righe         map[string]int64  `json:"righe"`
	SHA256        string            `json:"sha256"`
	SHA256Tabelle map[string]string `json:"sha256_tabelle"`
}

// beginLettura opens the read transaction that gives the dump its snapshot.
func beginLettura(ctx context.Context, db *store.DB) (*sql.Tx, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.Dialect() == store.Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.SQL().BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("backup: transazione di lettura: %w", err)
	}
	return tx, nil
}

// leggiTabella emits the table's header line and then each of its rows, in
// canonical form and order, without the final newline. The slice passed
// to emit is reused.
func leggiTabella(ctx context.Context, q querier, d store.Dialect, t *tabella, emit func([]byte) error) (int64, error) {
	head, err := json.Marshal(intestazioneTabella{Tabella: t.nome, Colonne: t.nomiColonne(), Tipi: t.tipi()})
	if err != nil {
		return 0, err
	}
	if err := emit(head); err != nil {
		return 0, err
	}
	cols := make([]string, len(t.colonne))
	for i, c := range t.colonne {
		cols[i] = quote(c.nome)
	}
	query := `SELECT ` + joinComma(cols) + ` FROM ` + quote(t.nome) + ` ORDER BY ` + ordine(t, d)
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return 0, fmt.Errorf("lettura di %s: %w", t.nome, err)
	}
	defer rows.Close()
	vals := make([]any, len(t.colonne))
	ptrs := make([]any, len(t.colonne))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var (
		n   int64
		buf []byte
	)
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, fmt.Errorf("lettura di %s: %w", t.nome, err)
		}
		buf = append(buf[:0], '[')
		for i, c := range t.colonne {
			if i > 0 {
				buf = append(buf, ',')
			}
			if buf, err = appendValore(buf, c.tipo, vals[i]); err != nil {
				return n, fmt.Errorf("%s.%s: %w", t.nome, c.nome, err)
			}
		}
		buf = append(buf, ']')
		if err := emit(buf); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("lettura di %s: %w", t.nome, err)
	}
	return n, nil
}

func joinComma(s []string) string {
	n := 0
	for _, x := range s {
		n += len(x) + 2
	}
	b := make([]byte, 0, n)
	for i, x := range s {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, x...)
	}
	return string(b)
}

// hashLine adds a line and its newline to h.
func hashLine(h hash.Hash, line []byte) {
	h.Write(line)
	h.Write([]byte{'\n'})
}

// contatore counts the bytes written through it.
type contatore struct {
	w io.Writer
	n int64
}

func (c *contatore) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Backup writes a consistent dump of every application table of db to w
// (see the package documentation for the format). The database stays
// available to readers and writers throughout.
func Backup(ctx context.Context, db *store.DB, w io.Writer) (Summary, error) {
	tx, err := beginLettura(ctx, db)
	if err != nil {
		return Summary{}, err
	}
	defer tx.Rollback()
	d := db.Dialect()
	// The first read fixes the snapshot (SQLite: the WAL read mark).
	ver, err := versioneMigrazione(ctx, tx)
	if err != nil {
		return Summary{}, fmt.Errorf("backup: %w", err)
	}
	tabelle, err := leggiSchema(ctx, tx, d)
	if err != nil {
		return Summary{}, fmt.Errorf("backup: %w", err)
	}
	sum := Summary{Migrazione: ver, Dialetto: d, Creato: db.Now().UTC().Truncate(time.Second)}

	zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	cnt := &contatore{w: zw}
	bw := bufio.NewWriterSize(cnt, 1<<16)
	writeLine := func(line []byte) error {
		if _, err := bw.Write(line); err != nil {
			return err
		}
		return bw.WriteByte('\n')
	}
	head, err := json.Marshal(intestazione{Formato: Formato, Versione: Versione, Migrazione: ver,
		Dialetto: string(d), Creato: sum.Creato.Format(time.RFC3339)})
	if err != nil {
		return Summary{}, err
	}
	if err := writeLine(head); err != nil {
		return Summary{}, fmt.Errorf("backup: scrittura: %w", err)
	}
	tot := sha256.New()
	end := chiusura{Fine: true, Righe: map[string]int64{}, SHA256Tabelle: map[string]string{}}
	for _, t := range tabelle {
		th := sha256.New()
		n, err := leggiTabella(ctx, tx, d, t, func(line []byte) error {
			hashLine(tot, line)
			hashLine(th, line)
			if err := writeLine(line); err != nil {
				return fmt.Errorf("scrittura: %w", err)
			}
			return nil
		})
		if err != nil {
			return Summary{}, fmt.Errorf("backup: %w", err)
		}
		h := hex.EncodeToString(th.Sum(nil))
		sum.Tabelle = append(sum.Tabelle, Tabella{Nome: t.nome, Righe: n, SHA256: h})
		sum.Righe += n
		end.Righe[t.nome] = n
		end.SHA256Tabelle[t.nome] = h
	}
	if err := tx.Commit(); err != nil {
		return Summary{}, fmt.Errorf("backup: fine della transazione di lettura: %w", err)
	}
	sum.SHA256 = hex.EncodeToString(tot.Sum(nil))
	end.SHA256 = sum.SHA256
	tail, err := json.Marshal(end)
	if err != nil {
		return Summary{}, err
	}
	if err := writeLine(tail); err != nil {
		return Summary{}, fmt.Errorf("backup: scrittura: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return Summary{}, fmt.Errorf("backup: scrittura: %w", err)
	}
	if err := zw.Close(); err != nil {
		return Summary{}, fmt.Errorf("backup: scrittura: %w", err)
	}
	sum.Byte = cnt.n
	return sum, nil
}

// Contenuto returns, per application table, the SHA-256 (hex) of its rows
// in the canonical form of the dump, read in one consistent snapshot. Two
// databases of either dialect hold the same data exactly when their maps
// are equal; a dump's Summary.Contenuto compares with it too.
func Contenuto(ctx context.Context, db *store.DB) (map[string]string, error) {
	tx, err := beginLettura(ctx, db)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if _, err := versioneMigrazione(ctx, tx); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	out, err := contenuto(ctx, tx, db.Dialect())
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	return out, tx.Commit()
}

func contenuto(ctx context.Context, q querier, d store.Dialect) (map[string]string, error) {
	tabelle, err := leggiSchema(ctx, q, d)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(tabelle))
	for _, t := range tabelle {
		h := sha256.New()
		if _, err := leggiTabella(ctx, q, d, t, func(line []byte) error {
			hashLine(h, line)
			return nil
		}); err != nil {
			return nil, err
		}
		out[t.nome] = hex.EncodeToString(h.Sum(nil))
	}
	return out, nil
}
