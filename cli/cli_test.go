package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/portalescuole/portalescuole/cli"
	"github.com/portalescuole/portalescuole/demo"
	"github.com/portalescuole/portalescuole/load"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// The binary, built once for the tests that run it as a process.
var built struct {
	once      sync.Once
	dir, path string
	err       error
	out       []byte
}

func binary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "portale-cli-test-"); built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "portalescuole")
		built.out, built.err = exec.Command("go", "build", "-o", built.path, "../cmd/portalescuole").CombinedOutput()
	})
	if built.err != nil {
		t.Fatalf("build: %v\n%s", built.err, built.out)
	}
	return built.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = cli.Run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

const studenti = "../demo/data/mim-studenti-per-plesso-cr-mn-2024-25.csv"

func TestRun_ImportAndUserAdd(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			if code, out, errs := run(t, "", "migrate", "--db", dsn); code != 0 || !strings.Contains(out, "database aggiornato") {
				t.Fatalf("migrate: %d %s %s", code, out, errs)
			}
			code, out, errs := run(t, "", "import", "--db", dsn, "--anno", "2024/25", studenti)
			if code != 0 || !strings.Contains(out, "688 aggiunti, 0 modificati, 0 ritirati") {
				t.Fatalf("import: %d %q %q", code, out, errs)
			}
			code, out, _ = run(t, "", "import", "--db", dsn, "--anno", "2024/25", studenti)
			if code != 0 || !strings.Contains(out, "0 aggiunti, 0 modificati, 0 ritirati") {
				t.Fatalf("same file again: %d %q", code, out)
			}
			code, out, errs = run(t, "", "import", "--db", dsn, "../demo/data/influnet-lombardia-settimanale.csv")
			if code != 0 || !strings.Contains(out, "346 settimane") {
				t.Fatalf("InfluNet: %d %q %q", code, out, errs)
			}
			badFlu := filepath.Join(t.TempDir(), "flu.csv")
			os.WriteFile(badFlu, []byte("\"flu_season\",\"year_week\",\"inc_5-14\"\n\"2030-2031\",\"2030-50\",abc\n"), 0o644)
			if code, _, errs = run(t, "", "import", "--db", dsn, badFlu); code != 1 || !strings.Contains(errs, "InfluNet") {
				t.Fatalf("bad InfluNet file: %d %q", code, errs)
			}
			bad := filepath.Join(t.TempDir(), "bad.csv")
			os.WriteFile(bad, []byte("CODICESCUOLA,NUMEROSTUDENTI\nCREE80001R,10\nCREE8000,12\nCREE80002T,-3\n"), 0o644)
			code, _, errs = run(t, "", "import", "--db", dsn, "--anno", "2025/26", bad)
			if code != 1 || !strings.Contains(errs, "riga 3") || !strings.Contains(errs, "riga 4") || !strings.Contains(errs, "nessun dato modificato") {
				t.Fatalf("bad file: %d %q", code, errs)
			}

			for _, tc := range []struct {
				name, stdin string
				args        []string
				code        int
				msg         string
			}{
				{"plesso", "una password lunga\n", []string{"--role", "plesso", "--username", "segreteria.cree80001r", "--plesso", "cree80001r"}, 0, "utente segreteria.cree80001r creato"},
				{"duplicate", "una password lunga\n", []string{"--role", "plesso", "--username", "SEGRETERIA.cree80001r", "--plesso", "CREE80001R"}, 1, "esiste già"},
				{"unknown plesso", "una password lunga\n", []string{"--role", "plesso", "--username", "x", "--plesso", "ZZEE000000"}, 1, "Plesso non trovato"},
				{"no plesso", "una password lunga\n", []string{"--role", "plesso", "--username", "y"}, 1, "Indicare il plesso"},
				{"bad role", "una password lunga\n", []string{"--role", "preside", "--username", "z"}, 1, "Ruolo non valido"},
				{"short password", "corta\n", []string{"--role", "ats", "--username", "op"}, 1, "password non accettata"},
				{"ats", "una password lunga", []string{"--role", "ats", "--username", "operatore"}, 0, "creato (ruolo ats)"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					code, out, errs := run(t, tc.stdin, append([]string{"user", "add", "--db", dsn}, tc.args...)...)
					if code != tc.code || !strings.Contains(out+errs, tc.msg) {
						t.Fatalf("code %d out %q err %q; want %d %q", code, out, errs, tc.code, tc.msg)
					}
				})
			}
		})
	}
}

// TestRun_Serve starts the whole program on port 0 and stops it.
func TestRun_Serve(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "p.db")}, nil, pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	url := strings.Fields(strings.SplitN(line, " su ", 2)[1])[0]
	res, err := http.Get(url + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", res, err)
	}
	res.Body.Close()
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// TestImport_KilledMidway kills (SIGKILL) a real import process while its
// transaction is open and has written (seen from outside: PostgreSQL shows
// the backend holding a transaction id; SQLite's write lock is held and its
// WAL has grown by megabytes), then finds nothing of the file; an import run
// to completion afterwards stores it whole.
func TestImport_KilledMidway(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := binary(t)
	var b strings.Builder
	b.WriteString("CODICESCUOLA,NUMEROSTUDENTI\n")
	const rows = 150000
	for i := 0; i < rows; i++ {
		fmt.Fprintf(&b, "CREE%06d,%d\n", i, 50+i%400)
	}
	file := filepath.Join(dir, "grande.csv")
	os.WriteFile(file, []byte(b.String()), 0o644)
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			var dsn string
			proved := 0
			for attempt := 0; attempt < 3 && proved == 0; attempt++ {
				dsn = storetest.DSN(t, d)
				// Migrate first: the only writer left is the import.
				db, err := store.Open(context.Background(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				db.Close()
				inTx := txProbe(t, dsn)
				if inTx() {
					t.Fatal("the probe sees a transaction before the import started")
				}
				cmd := exec.Command(bin, "import", "--db", dsn, "--anno", "2025/26", file)
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				exited := make(chan struct{})
				go func() { cmd.Wait(); close(exited) }()
				seen, ended := false, false
				for deadline := time.Now().Add(2 * time.Minute); !seen && !ended; time.Sleep(2 * time.Millisecond) {
					select {
					case <-exited:
						ended = true
						continue
					default:
					}
					if time.Now().After(deadline) {
						cmd.Process.Kill()
						t.Fatal("the import transaction was never seen open")
					}
					seen = inTx()
				}
				cmd.Process.Kill()
				<-exited
				if !seen {
					t.Log("the import ended before its transaction was seen open: again")
					continue
				}
				db, err = store.Open(context.Background(), dsn)
				if err != nil {
					t.Fatalf("reopen after kill: %v", err)
				}
				var runs, counts, plessi int
				q := db.SQL()
				scan(t, q, `SELECT COUNT(*) FROM import_runs`, &runs)
				scan(t, q, `SELECT COUNT(*) FROM studenti_mim`, &counts)
				scan(t, q, `SELECT COUNT(*) FROM plessi`, &plessi)
				db.Close()
				t.Logf("killed inside the transaction: %d import runs, %d counts, %d plessi", runs, counts, plessi)
				switch {
				case runs == 0 && counts == 0 && plessi == 0:
					proved++ // the kill landed in the open transaction and nothing survived
				case runs == 1 && counts == rows && plessi == rows:
					t.Log("the commit slipped in between the probe and the kill: again")
				default:
					t.Fatalf("half an import survived a kill: %d runs, %d counts, %d plessi", runs, counts, plessi)
				}
			}
			if proved == 0 {
				t.Fatal("no kill landed inside the open transaction: the test proved nothing")
			}
			// Run to completion after the kills: the file goes in whole.
			if out, err := exec.Command(bin, "import", "--db", dsn, "--anno", "2025/26", file).CombinedOutput(); err != nil {
				t.Fatalf("import after the kills: %v %s", err, out)
			}
			db, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var counts int
			scan(t, db.SQL(), `SELECT COUNT(*) FROM studenti_mim`, &counts)
			if counts != rows {
				t.Fatalf("complete import stored %d of %d", counts, rows)
			}
		})
	}
}

// txProbe returns a function reporting whether another process holds an
// open transaction that has written to the database at dsn.
func txProbe(t *testing.T, dsn string) func() bool {
	t.Helper()
	if store.IsPostgres(dsn) {
		pg, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { pg.Close() })
		return func() bool {
			var n int
			err := pg.QueryRow(`SELECT COUNT(*) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL`).Scan(&n)
			return err == nil && n > 0
		}
	}
	// No busy wait: a held write lock answers SQLITE_BUSY at once.
	lite, err := sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	lite.SetMaxOpenConns(1)
	t.Cleanup(func() { lite.Close() })
	return func() bool {
		if fi, err := os.Stat(dsn + "-wal"); err != nil || fi.Size() < 1<<20 {
			return false // nothing much written yet
		}
		ctx := context.Background()
		c, err := lite.Conn(ctx)
		if err != nil {
			return false
		}
		defer c.Close()
		if _, err := c.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
			var coded interface{ Code() int }
			return errors.As(err, &coded) && coded.Code()&0xff == 5 // SQLITE_BUSY: a writer holds the lock
		}
		c.ExecContext(ctx, `ROLLBACK`)
		return false
	}
}

func scan(t *testing.T, db *sql.DB, q string, dst *int) {
	t.Helper()
	if err := db.QueryRow(q).Scan(dst); err != nil {
		t.Fatal(err)
	}
}

// TestCarico_KillServer stops the server in the middle of a load, with
// SIGKILL (a crash) and with SIGTERM (a graceful shutdown, which must exit
// cleanly): every write it acknowledged is in the database. The signal is
// sent once the server answers /healthz, every virtual client has logged in
// and at least minAck writes were acknowledged; errors after it are expected.
func TestCarico_KillServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	const minAck = 40
	bin := binary(t)
	for _, sig := range []os.Signal{syscall.SIGKILL, syscall.SIGTERM} {
		for _, d := range storetest.Dialects() {
			t.Run(sig.String()+"/"+string(d), func(t *testing.T) {
				dsn := storetest.DSN(t, d)
				srv := exec.Command(bin, "serve", "--demo", "--db", dsn, "--addr", "127.0.0.1:0", "--jobs=false", "--trusted-proxy", "127.0.0.1/32")
				out, _ := srv.StdoutPipe()
				if err := srv.Start(); err != nil {
					t.Fatal(err)
				}
				defer srv.Process.Kill()
				line, err := bufio.NewReader(out).ReadString('\n')
				if err != nil {
					t.Fatal(err)
				}
				go io.Copy(io.Discard, out)
				url := strings.Fields(strings.SplitN(line, " su ", 2)[1])[0]
				waitHealthy(t, url, time.Minute)
				db, err := store.Open(context.Background(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				prep, err := load.Prepara(context.Background(), db, 16, time.Now())
				if err != nil {
					t.Fatal(err)
				}
				var acked atomic.Int64
				enough := make(chan struct{})
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				type result struct {
					es  *load.Esito
					err error
				}
				done := make(chan result, 1)
				go func() {
					// Durata is only an upper bound: the load stops when the server is gone.
					es, err := load.Esegui(ctx, prep, load.Opzioni{URL: url, Durata: 5 * time.Minute, Concorrenza: 16, Seed: 2,
						Confermata: func(load.Scrittura) {
							if acked.Add(1) == minAck {
								close(enough)
							}
						}})
					done <- result{es, err}
				}()
				select {
				case <-enough:
				case r := <-done:
					t.Fatalf("the load ended before %d acknowledged writes: %v", minAck, r.err)
				case <-time.After(3 * time.Minute):
					t.Fatalf("only %d writes acknowledged in 3 minutes", acked.Load())
				}
				srv.Process.Signal(sig)
				werr := srv.Wait()
				cancel()
				r := <-done
				if r.err != nil {
					t.Fatal(r.err)
				}
				if sig == syscall.SIGTERM && werr != nil {
					t.Fatalf("SIGTERM: the server did not stop cleanly: %v", werr)
				}
				es := r.es
				found, missing, err := load.Verifica(context.Background(), db, es.Scritture)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("stopped mid-load: %d writes acknowledged, %d found", len(es.Scritture), found)
				if len(es.Scritture) < minAck {
					t.Fatalf("%d writes acknowledged, want at least %d", len(es.Scritture), minAck)
				}
				if len(missing) > 0 {
					t.Fatalf("%d acknowledged writes lost: %v", len(missing), missing[:min(3, len(missing))])
				}
			})
		}
	}
}

// waitHealthy polls /healthz until it answers 200 or the deadline passes.
func waitHealthy(t *testing.T, url string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		res, err := http.Get(url + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s/healthz not ready after %v: %v", url, within, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRun_BackupRestore(t *testing.T) {
	ctx := context.Background()
	src := storetest.DSN(t, store.SQLite)
	db, err := store.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Seed(ctx, db, time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	file := filepath.Join(t.TempDir(), "portale.jsonl.gz")
	if code, out, errs := run(t, "", "backup", "--db", src, "--out", file); code != 0 || !strings.Contains(out, "righe") {
		t.Fatalf("backup: %d %q %q", code, out, errs)
	}
	for _, d := range storetest.Dialects() {
		dst := storetest.DSN(t, d)
		if code, out, errs := run(t, "", "restore", "--db", dst, "--in", file); code != 0 || !strings.Contains(out, "contenuto verificato") {
			t.Fatalf("restore into %s: %d %q %q", d, code, out, errs)
		}
		if code, _, errs := run(t, "", "restore", "--db", dst, "--in", file); code != 1 || errs == "" {
			t.Fatalf("restore into a non-empty %s database: %d", d, code)
		}
	}
}

// TestRun_Rileva: a full detection from the command line stores the
// signals it finds, and a rerun on the same data stores none.
func TestRun_Rileva(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t, store.SQLite)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.Seed(ctx, db, time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	// The demo already ran detection: start from no signal.
	for _, q := range []string{`DELETE FROM segnali_storia`, `DELETE FROM segnali`, `DELETE FROM anomalie`} {
		if _, err := db.SQL().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	nuovi := func() int {
		code, out, errs := run(t, "", "scan", "--db", dsn, "--oggi", "2026-11-26")
		var n int
		i := strings.Index(out, " nuove allerte")
		if code != 0 || i < 0 || !strings.Contains(out, "memoria massima") {
			t.Fatalf("rileva: %d %q %q", code, out, errs)
		}
		if _, err := fmt.Sscan(out[strings.LastIndex(out[:i], " ")+1:i], &n); err != nil {
			t.Fatalf("rileva output %q: %v", out, err)
		}
		return n
	}
	if n := nuovi(); n == 0 {
		t.Fatal("the demo's rising absences raised no signal")
	}
	if n := nuovi(); n != 0 {
		t.Fatalf("a rerun stored %d signals", n)
	}
}

func TestParseTrustedProxies(t *testing.T) {
	got, err := cli.ParseTrustedProxies(" 127.0.0.1, 10.0.0.0/8,::1 ,192.168.1.7/24")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"127.0.0.1/32", "10.0.0.0/8", "::1/128", "192.168.1.0/24"}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("%d: %s, want %s", i, got[i], want[i])
		}
	}
	if _, err := cli.ParseTrustedProxies("proxy.example"); err == nil {
		t.Error("a host name accepted")
	}
	if got, _ := cli.ParseTrustedProxies(""); len(got) != 0 {
		t.Errorf("empty: %v", got)
	}
}

// TestServe_IndirizzoOccupato: on a busy port serve stops before touching
// the database, saying how to choose another address (issue 21, item 19).
func TestServe_IndirizzoOccupato(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	db := filepath.Join(t.TempDir(), "demo.db")
	code, _, errs := run(t, "", "serve", "--demo", "--db", db, "--addr", ln.Addr().String())
	if code == 0 || !strings.Contains(errs, "già in uso") || !strings.Contains(errs, "--addr") || !strings.Contains(errs, "ADDR=") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Fatalf("the database was created before the address was checked: %v", err)
	}
}
