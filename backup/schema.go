package backup

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/portalescuole/portalescuole/store"
)

// gooseTable is goose's bookkeeping table: never dumped, its version is
// recorded in the header instead.
const gooseTable = "goose_db_version"

// nonSalvate are tables a backup leaves out: sessions are short-lived
// credentials (even hashed, they have no place in a file copied off the
// host), and a restored portal simply asks everyone to sign in again.
var nonSalvate = []string{"sessions"}

// tipo is a column's dialect-independent kind.
type tipo string

const (
	tipoInt   tipo = "int"
	tipoFloat tipo = "float"
	tipoBool  tipo = "bool"
	tipoText  tipo = "text"
	tipoBlob  tipo = "blob"
)

// tipoDi maps a declared column type (SQLite's PRAGMA table_info type or
// PostgreSQL's information_schema data_type) to its kind.
func tipoDi(decl string) (tipo, error) {
	d := strings.ToUpper(strings.TrimSpace(decl))
	switch {
	case strings.HasPrefix(d, "BOOL"):
		return tipoBool, nil
	case strings.Contains(d, "INT"): // INTEGER, BIGINT, SMALLINT
		return tipoInt, nil
	case strings.Contains(d, "DOUBLE"), strings.Contains(d, "REAL"), strings.Contains(d, "FLOAT"):
		return tipoFloat, nil
	case strings.Contains(d, "TEXT"), strings.Contains(d, "CHAR"), strings.Contains(d, "CLOB"):
		return tipoText, nil
	case d == "BLOB", d == "BYTEA":
		return tipoBlob, nil
	}
	return "", fmt.Errorf("tipo di colonna non supportato: %q", decl)
}

// colonna is one column of an application table.
type colonna struct {
	nome string
	tipo tipo
}

// tabella is an application table as the backup sees it.
type tabella struct {
	nome     string
	colonne  []colonna // sorted by name: the same in both dialects
	pk       []string  // primary-key columns in key order (empty: none)
	genitori []string  // tables its foreign keys reference (itself excluded)
}

func (t *tabella) nomiColonne() []string {
	out := make([]string, len(t.colonne))
	for i, c := range t.colonne {
		out[i] = c.nome
	}
	return out
}

func (t *tabella) tipi() []string {
	out := make([]string, len(t.colonne))
	for i, c := range t.colonne {
		out[i] = string(c.tipo)
	}
	return out
}

// querier is what *sql.Tx offers and the backup needs.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// quote quotes an identifier for both dialects.
func quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// strings1 runs a query returning one text column.
func strings1(ctx context.Context, q querier, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// versioneMigrazione returns the goose version the schema is at.
func versioneMigrazione(ctx context.Context, q querier) (int64, error) {
	var v sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT MAX(version_id) FROM `+gooseTable+` WHERE is_applied`).Scan(&v); err != nil {
		return 0, fmt.Errorf("versione dello schema: %w", err)
	}
	return v.Int64, nil
}

// leggiSchema discovers the application tables with their columns, keys
// and foreign keys, in dump order: parents before children (ties broken by
// name), so that a restore can insert them as they come.
func leggiSchema(ctx context.Context, q querier, d store.Dialect) ([]*tabella, error) {
	var (
		tabelle []*tabella
		err     error
	)
	if d == store.Postgres {
		tabelle, err = schemaPostgres(ctx, q)
	} else {
		tabelle, err = schemaSQLite(ctx, q)
	}
	if err != nil {
		return nil, err
	}
	tabelle = slices.DeleteFunc(tabelle, func(t *tabella) bool { return slices.Contains(nonSalvate, t.nome) })
	for _, t := range tabelle {
		if len(t.colonne) == 0 {
			return nil, fmt.Errorf("tabella %s senza colonne", t.nome)
		}
		slices.SortFunc(t.colonne, func(a, b colonna) int { return strings.Compare(a.nome, b.nome) })
		slices.Sort(t.genitori)
		t.genitori = slices.Compact(t.genitori)
	}
	return ordina(tabelle), nil
}

func schemaSQLite(ctx context.Context, q querier) ([]*tabella, error) {
	nomi, err := strings1(ctx, q, `SELECT name FROM sqlite_master
		WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> $1`, gooseTable)
	if err != nil {
		return nil, fmt.Errorf("elenco delle tabelle: %w", err)
	}
	var out []*tabella
	for _, n := range nomi {
		t := &tabella{nome: n}
		if err := tabellaSQLite(ctx, q, t); err != nil {
			return nil, fmt.Errorf("schema della tabella %s: %w", n, err)
		}
		out = append(out, t)
	}
	return out, nil
}

func tabellaSQLite(ctx context.Context, q querier, t *tabella) error {
	rows, err := q.QueryContext(ctx, `SELECT name, type, pk FROM pragma_table_info($1) ORDER BY cid`, t.nome)
	if err != nil {
		return err
	}
	defer rows.Close()
	type pkCol struct {
		nome string
		pos  int
	}
	var pk []pkCol
	for rows.Next() {
		var (
			nome, decl string
			pos        int
		)
		if err := rows.Scan(&nome, &decl, &pos); err != nil {
			return err
		}
		tp, err := tipoDi(decl)
		if err != nil {
			return fmt.Errorf("colonna %s: %w", nome, err)
		}
		t.colonne = append(t.colonne, colonna{nome, tp})
		if pos > 0 {
			pk = append(pk, pkCol{nome, pos})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	slices.SortFunc(pk, func(a, b pkCol) int { return a.pos - b.pos })
	for _, c := range pk {
		t.pk = append(t.pk, c.nome)
	}
	parents, err := strings1(ctx, q, `SELECT "table" FROM pragma_foreign_key_list($1)`, t.nome)
	if err != nil {
		return err
	}
	for _, p := range parents {
		if p != t.nome {
			t.genitori = append(t.genitori, p)
		}
	}
	return nil
}

// schemaPostgres reads the catalog of the current schema in three queries
// (information_schema, one table at a time, is far slower).
func schemaPostgres(ctx context.Context, q querier) ([]*tabella, error) {
	byName := map[string]*tabella{}
	var out []*tabella
	err := righe3(ctx, q, func(tab, col, decl string) error {
		t := byName[tab]
		if t == nil {
			t = &tabella{nome: tab}
			byName[tab] = t
			out = append(out, t)
		}
		tp, err := tipoDi(decl)
		if err != nil {
			return fmt.Errorf("schema della tabella %s, colonna %s: %w", tab, col, err)
		}
		t.colonne = append(t.colonne, colonna{col, tp})
		return nil
	}, `SELECT c.relname, a.attname, format_type(a.atttypid, NULL)
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
		WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND c.relname <> $1
		ORDER BY c.relname, a.attnum`, gooseTable)
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	err = righe3(ctx, q, func(tab, col, _ string) error {
		if t := byName[tab]; t != nil {
			t.pk = append(t.pk, col)
		}
		return nil
	}, `SELECT c.relname, a.attname, ''
		FROM pg_index i
		JOIN pg_class c ON c.oid = i.indrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
		WHERE i.indisprimary AND n.nspname = current_schema()
		ORDER BY c.relname, k.ord`)
	if err != nil {
		return nil, fmt.Errorf("chiavi primarie: %w", err)
	}
	err = righe3(ctx, q, func(tab, parent, _ string) error {
		if t := byName[tab]; t != nil && parent != tab {
			t.genitori = append(t.genitori, parent)
		}
		return nil
	}, `SELECT c.relname, p.relname, ''
		FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid
		JOIN pg_class p ON p.oid = k.confrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE k.contype = 'f' AND n.nspname = current_schema()`)
	if err != nil {
		return nil, fmt.Errorf("chiavi esterne: %w", err)
	}
	return out, nil
}

// righe3 runs a query returning three text columns.
func righe3(ctx context.Context, q querier, fn func(a, b, c string) error, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a, b, c string
		if err := rows.Scan(&a, &b, &c); err != nil {
			return err
		}
		if err := fn(a, b, c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ordina sorts the tables parents first (Kahn's algorithm, ties broken by
// name, so that both dialects give the same order). Tables in a cycle,
// which the schema does not have, follow in name order.
func ordina(tabelle []*tabella) []*tabella {
	slices.SortFunc(tabelle, func(a, b *tabella) int { return strings.Compare(a.nome, b.nome) })
	byName := map[string]bool{}
	for _, t := range tabelle {
		byName[t.nome] = true
	}
	done := map[string]bool{}
	var out []*tabella
	for len(out) < len(tabelle) {
		progress := false
		for _, t := range tabelle {
			if done[t.nome] {
				continue
			}
			ready := true
			for _, p := range t.genitori {
				if byName[p] && !done[p] {
					ready = false
					break
				}
			}
			if ready {
				done[t.nome] = true
				out = append(out, t)
				progress = true
				break // restart from the first name: smallest ready table first
			}
		}
		if !progress {
			for _, t := range tabelle {
				if !done[t.nome] {
					done[t.nome] = true
					out = append(out, t)
				}
			}
		}
	}
	return out
}

// ordine is the ORDER BY clause that makes the row order the same in both
// dialects: the primary key (all columns when there is none), text compared
// bytewise (PostgreSQL's default collation is not).
func ordine(t *tabella, d store.Dialect) string {
	keys := t.pk
	if len(keys) == 0 {
		keys = t.nomiColonne()
	}
	kind := map[string]tipo{}
	for _, c := range t.colonne {
		kind[c.nome] = c.tipo
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = quote(k)
		if kind[k] == tipoText {
			if d == store.Postgres {
				parts[i] += ` COLLATE "C"`
			} else {
				parts[i] += ` COLLATE BINARY`
			}
		}
	}
	return strings.Join(parts, ", ")
}
