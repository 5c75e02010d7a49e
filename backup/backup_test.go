package backup_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/backup"
	"github.com/portalescuole/portalescuole/demo"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

var ctx = context.Background()

// demoNow is the demo's clock: late November, influenza season starting.
var demoNow = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// popola fills db with the demo (real registers, pupil counts, consistenze,
// absences, InfluNet, alerts, users) and with the awkward values the demo
// lacks: NULLs and zeros, closures, floats at the edges of float64, text
// with quotes, control characters and non-ASCII letters, blobs with every
// byte value, an empty blob, sessions, tokens, overrides.
func popola(t testing.TB, db *store.DB) {
	t.Helper()
	if err := demo.Seed(ctx, db, demoNow); err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return demoNow.Add(90 * time.Minute) }
	defer func() { db.Now = time.Now }()
	a := ps.Actor{UserID: 1, Username: "prova", IP: "192.0.2.7"}
	const plesso = "CREE80002T"
	zero, uno, nove := 0, 1, 9
	giorni := []ps.Giorno{
		{Giorno: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), Assenti: &zero, Motivi: ps.Motivi{Febbre: &zero, Gastro: nil, AltraMalattia: &zero, NonMalattia: nil}},
		{Giorno: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), Chiuso: true, MotivoChiusura: "neve \"alta\" \\ 20 cm\nsecondo avviso\tè così ✓"},
		{Giorno: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), Assenti: &nove, Motivi: ps.Motivi{Febbre: &uno},
			Classi: []ps.AssenzaClasse{{Classe: "1A", Iscritti: 21, Assenti: 0}, {Classe: "2B <&>", Iscritti: 19, Assenti: 9, Motivi: ps.Motivi{Gastro: &uno}}}},
	}
	if _, err := db.SaveGiorni(ctx, a, plesso, giorni, "api"); err != nil {
		t.Fatal(err)
	}
	// An emergency period, closed (every column set), and one open.
	if _, err := db.StartEmergenza(ctx, a, "provincia:CR", time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), "", "09:30"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.StopEmergenza(ctx, a, "provincia:CR", time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.StartEmergenza(ctx, a, "grado:primaria", time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), "finestre", "12:00"); err != nil {
		t.Fatal(err)
	}
	every := make([]byte, 256)
	for i := range every {
		every[i] = byte(i)
	}
	if _, err := db.Enqueue(ctx, a, []store.OutboxMessage{
		{Kind: "bollettino", DedupeKey: "b1", To: "ats@example.invalid", Subject: "Bollettino", Body: "in allegato\r\n", AllegatoNome: "b.pdf", Allegato: every},
		{Kind: "bollettino", DedupeKey: "b2", To: "ats@example.invalid", Subject: "Vuoto", Body: "", AllegatoNome: "vuoto.pdf", Allegato: []byte{}},
		{Kind: "promemoria", DedupeKey: "p1", To: "x@example.invalid", Subject: "Nessun allegato", Body: "\x01\x1f"},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddSegnali(ctx, a, []ps.Segnale{
		{Serie: "prova:limiti", Giorno: demoNow, Osservato: math.Pi, Atteso: 0.1 + 0.2, Soglia: 5e-324, Metodo: "prova",
			Parametri: `{"k":1e300}`, Plessi: 0, Completezza: math.MaxFloat64, Copertura: -2.5},
		{Serie: "prova:limiti", Giorno: demoNow.AddDate(0, 0, 1), Osservato: 1e-300, Atteso: 123456789.123456789, Soglia: math.Inf(1), Metodo: "prova",
			Parametri: "{}", Contributi: []ps.Contributo{{Plesso: plesso, Nome: "l'ultimo", Assenti: 3, Attesi: 1.0 / 3, Eccesso: 2}}, Plessi: 1, Completezza: 1 << 53, Copertura: math.Inf(-1)},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddAnomalie(ctx, a, []ps.Anomalia{{Serie: "plesso:" + plesso, Giorno: demoNow, Osservato: 0.5, Atteso: 1.0 / 3, Metodo: "prova", Plessi: 1}}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetOverride(ctx, a, store.Override{Giorno: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), Provincia: "MN", Scuola: false, Motivo: "Sant'Anselmo"}, false); err != nil {
		t.Fatal(err)
	}
	if err := db.SetOverride(ctx, a, store.Override{Giorno: time.Date(2026, 12, 9, 0, 0, 0, 0, time.UTC), Scuola: true}, false); err != nil {
		t.Fatal(err)
	}
	if err := db.SetCalendario(ctx, a, plesso, store.CalendarioPlesso{Patrono: "11-13", SeiGiorni: true,
		Chiusure: []time.Time{time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.CreateToken(ctx, a, plesso, "registro elettronico"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.CreateToken(ctx, a, "", "cruscotto ATS"); err != nil {
		t.Fatal(err)
	}
	s := store.DefaultSettings()
	s.NomeATS = "ATS \"Val Padana\" — prova"
	if err := db.SaveSettings(ctx, a, s); err != nil {
		t.Fatal(err)
	}
	if err := db.Sessions().Commit("sessione-1", every[:200], demoNow.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
}

// dump backs db up and returns the stream.
func dump(t testing.TB, db *store.DB) ([]byte, backup.Summary) {
	t.Helper()
	var buf bytes.Buffer
	sum, err := backup.Backup(ctx, db, &buf)
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), sum
}

// righe returns the uncompressed lines of a dump.
func righe(t testing.TB, b []byte) []string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return strings.SplitAfter(string(raw), "\n")
}

func comprimi(t testing.TB, lines []string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(strings.Join(lines, "")))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func contenuto(t testing.TB, db *store.DB) map[string]string {
	t.Helper()
	c, err := backup.Contenuto(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func stessoContenuto(t testing.TB, want, got map[string]string) {
	t.Helper()
	if diff := backup.Differenze(want, got); len(diff) > 0 {
		t.Fatalf("content differs in tables %v", diff)
	}
}

// vuoto asserts that db holds no application data.
func vuoto(t testing.TB, db *store.DB, empty map[string]string) {
	t.Helper()
	if diff := backup.Differenze(empty, contenuto(t, db)); len(diff) > 0 {
		t.Fatalf("target not empty after a refused restore: %v", diff)
	}
}

// TestBackupRestore: the demo, backed up from each dialect and restored
// into each, has the same content table by table; a backup of the restored
// database is the same stream apart from its header; the restored database
// takes new rows.
func TestBackupRestore(t *testing.T) {
	for _, from := range storetest.Dialects() {
		t.Run("da "+string(from), func(t *testing.T) {
			src := storetest.New(t, from)
			popola(t, src)
			want := contenuto(t, src)
			b1, sum := dump(t, src)
			if sum.Dialetto != from || sum.Migrazione < 4 || sum.Righe == 0 {
				t.Fatalf("summary %+v", sum)
			}
			stessoContenuto(t, want, sum.Contenuto())
			for _, tab := range sum.Tabelle {
				if tab.Righe == 0 {
					t.Errorf("table %s empty: the test data should cover every table", tab.Nome)
				}
			}
			l1 := righe(t, b1)
			t.Logf("%s: %d tables, %d rows, %d bytes (%d gzip)", from, len(sum.Tabelle), sum.Righe, sum.Byte, len(b1))

			for _, to := range storetest.Dialects() {
				t.Run("a "+string(to), func(t *testing.T) {
					dst := storetest.New(t, to)
					rs, err := backup.Restore(ctx, dst, bytes.NewReader(b1))
					if err != nil {
						t.Fatal(err)
					}
					if rs.Righe != sum.Righe || rs.SHA256 != sum.SHA256 || rs.Byte != sum.Byte {
						t.Fatalf("restore summary %+v, backup %+v", rs, sum)
					}
					stessoContenuto(t, want, contenuto(t, dst))

					b2, sum2 := dump(t, dst)
					l2 := righe(t, b2)
					if len(l1) != len(l2) {
						t.Fatalf("%d lines, then %d", len(l1), len(l2))
					}
					for i := 1; i < len(l1); i++ {
						if l1[i] != l2[i] {
							t.Fatalf("line %d differs:\n%s\n%s", i+1, l1[i], l2[i])
						}
					}
					if sum2.SHA256 != sum.SHA256 || sum2.Dialetto != to {
						t.Fatalf("second backup %+v", sum2)
					}

					// New rows get fresh ids (PostgreSQL: the identity
					// sequences were moved past the restored ids).
					a := ps.Actor{Username: "dopo"}
					if _, err := dst.CreateUser(ctx, a, ps.User{Username: "nuovo.utente", Role: ps.RoleATS, PasswordHash: "x"}); err != nil {
						t.Fatal(err)
					}
					if _, err := dst.SaveGiorni(ctx, a, "CREE80002T", []ps.Giorno{{Giorno: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Assenti: ps.IntPtr(2)}}, "modulo"); err != nil {
						t.Fatal(err)
					}
					if _, err := dst.Enqueue(ctx, a, []store.OutboxMessage{{Kind: "k", DedupeKey: "dopo", To: "a@b.invalid"}}); err != nil {
						t.Fatal(err)
					}
					if _, err := dst.AddSegnali(ctx, a, []ps.Segnale{{Serie: "dopo", Giorno: demoNow, Metodo: "m", Parametri: "{}"}}); err != nil {
						t.Fatal(err)
					}
					if _, _, err := dst.CreateToken(ctx, a, "", "dopo"); err != nil {
						t.Fatal(err)
					}
					if _, _, err := dst.AddConsistenza(ctx, a, ps.Consistenza{Plesso: "CREE80001R", Anno: ps.AnnoDi(demoNow), Iscritti: 100, Classi: 5}); err != nil {
						t.Fatal(err)
					}
					if err := dst.Audit(ctx, a, "prova", "", nil); err != nil {
						t.Fatal(err)
					}
				})
			}
		})
	}
}

// cached is one demo dump (SQLite), shared by the tests that only need a
// realistic stream.
var cached struct {
	once sync.Once
	b    []byte
	sum  backup.Summary
}

func demoDump(t testing.TB) ([]byte, backup.Summary) {
	t.Helper()
	cached.once.Do(func() {
		db := storetest.New(t, store.SQLite)
		popola(t, db)
		cached.b, cached.sum = dump(t, db)
	})
	if cached.b == nil {
		t.Fatal("demo dump failed")
	}
	return cached.b, cached.sum
}

// TestBackupConsistente: while a writer keeps saving absences (assenze row
// and audit line in one transaction), every backup holds as many of the
// writer's audit lines as of its rows, although the two tables are read
// far apart; and in SQLite the writer is not blocked by the backup.
func TestBackupConsistente(t *testing.T) {
	b, _ := demoDump(t)
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		if _, err := backup.Restore(ctx, db, bytes.NewReader(b)); err != nil {
			t.Fatal(err)
		}
		wctx, stop := context.WithCancel(ctx)
		var (
			written atomic.Int64
			werr    error
			wg      sync.WaitGroup
		)
		started := make(chan struct{}) // closed after the writer's 5th commit
		exited := make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(exited)
			a := ps.Actor{Username: "concorrente"}
			d := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
			for i := 0; wctx.Err() == nil; i++ {
				g := ps.Giorno{Giorno: d.AddDate(0, 0, i), Assenti: ps.IntPtr(i % 7)}
				if _, err := db.SaveGiorni(wctx, a, "CREE80002T", []ps.Giorno{g}, "api"); err != nil {
					if wctx.Err() == nil {
						werr = err
					}
					return
				}
				if written.Add(1) == 5 {
					close(started)
				}
			}
		}()
		// Let the writer get going.
		select {
		case <-started:
		case <-exited:
			t.Fatalf("the writer stopped before its 5th commit: %v", werr)
		case <-time.After(time.Minute):
			stop()
			t.Fatal("the writer committed fewer than 5 transactions in a minute")
		}
		during := int64(0)
		for range 6 {
			before := written.Load()
			var buf bytes.Buffer
			if _, err := backup.Backup(ctx, db, &buf); err != nil {
				stop()
				t.Fatal(err)
			}
			during += written.Load() - before
			rows, audits := 0, 0
			var table string
			for _, l := range righe(t, buf.Bytes()) {
				switch {
				case strings.HasPrefix(l, `{"tabella":"`):
					table = strings.SplitN(l[len(`{"tabella":"`):], `"`, 2)[0]
				case table == "assenze" && strings.Contains(l, `"concorrente"`):
					rows++
				case table == "audit" && strings.Contains(l, `"concorrente"`):
					audits++
				}
			}
			if rows != audits {
				stop()
				t.Fatalf("backup holds %d rows of the writer and %d audit lines", rows, audits)
			}
			t.Logf("backup with %d of the writer's transactions (%d committed so far)", rows, written.Load())
		}
		stop()
		wg.Wait()
		if werr != nil {
			t.Fatal(werr)
		}
		if during == 0 {
			t.Fatal("the writer committed nothing while the backups ran: blocked?")
		}
		t.Logf("%d transactions committed while backups ran", during)
	})
}

// TestRestoreCorrotto: a dump with one byte changed (compressed or not),
// truncated, or with extra data restores nothing.
func TestRestoreCorrotto(t *testing.T) {
	b, _ := demoDump(t)
	lines := righe(t, b)
	// A digit changed in a row: still valid JSON, caught by the hash.
	digit := func() []string {
		out := append([]string(nil), lines...)
		for i := len(out) / 2; i < len(out); i++ {
			if strings.HasPrefix(out[i], "[") {
				if j := strings.IndexAny(out[i], "123456789"); j >= 0 {
					c := out[i][j]
					out[i] = out[i][:j] + string(rune('0'+(c-'0'+1)%10)) + out[i][j+1:]
					return out
				}
			}
		}
		t.Fatal("no digit")
		return nil
	}()
	var noTrailer []string
	noTrailer = append(noTrailer, lines[:len(lines)-2]...)
	cases := map[string][]byte{
		"digit":       comprimi(t, digit),
		"no trailer":  comprimi(t, noTrailer),
		"truncated":   b[:len(b)/2],
		"extra":       comprimi(t, append(append([]string(nil), lines...), "[1]\n")),
		"row dropped": comprimi(t, append(append([]string(nil), lines[:3]...), lines[4:]...)),
	}
	// Bytes flipped in the compressed stream (past gzip's 10-byte header,
	// whose mtime and OS fields no checksum covers).
	for _, pos := range []int{12, len(b) / 5, len(b) / 3, len(b) / 2, 2 * len(b) / 3, len(b) - 30, len(b) - 6, len(b) - 1} {
		c := bytes.Clone(b)
		c[pos] ^= 0x20
		cases["byte "+strconv.Itoa(pos)] = c
	}
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		empty := contenuto(t, db)
		for name, c := range cases {
			_, err := backup.Restore(ctx, db, bytes.NewReader(c))
			if err == nil {
				t.Fatalf("%s: corrupted dump restored", name)
			}
			if !errors.Is(err, backup.ErrCorrotto) {
				t.Errorf("%s: %v, want ErrCorrotto", name, err)
			}
			t.Logf("%s: %v", name, err)
			vuoto(t, db, empty)
		}
		if _, err := backup.Restore(ctx, db, bytes.NewReader(b)); err != nil {
			t.Fatalf("intact dump after the corrupted ones: %v", err)
		}
	})
}

// TestRestoreRifiuta: a database with data, or at another schema version,
// is refused with nothing changed.
func TestRestoreRifiuta(t *testing.T) {
	b, _ := demoDump(t)
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		if err := db.Audit(ctx, ps.SystemActor, "prova", "", nil); err != nil {
			t.Fatal(err)
		}
		before := contenuto(t, db)
		_, err := backup.Restore(ctx, db, bytes.NewReader(b))
		if !errors.Is(err, backup.ErrNonVuoto) || !strings.Contains(err.Error(), "audit") {
			t.Fatalf("non-empty target: %v", err)
		}
		t.Log(err)
		stessoContenuto(t, before, contenuto(t, db))

		empty := storetest.New(t, db.Dialect())
		lines := righe(t, b)
		lines[0] = regexp.MustCompile(`"migrazione":\d+`).ReplaceAllString(lines[0], `"migrazione":99`)
		_, err = backup.Restore(ctx, empty, bytes.NewReader(comprimi(t, lines)))
		if !errors.Is(err, backup.ErrMigrazione) {
			t.Fatalf("other schema version: %v", err)
		}
		t.Log(err)
		lines = righe(t, b)
		lines[0] = strings.Replace(lines[0], `"formato":"portalescuole-backup"`, `"formato":"altro"`, 1)
		if _, err = backup.Restore(ctx, empty, bytes.NewReader(comprimi(t, lines))); err == nil {
			t.Fatal("foreign format restored")
		}
		if _, err = backup.Restore(ctx, empty, strings.NewReader("not gzip")); !errors.Is(err, backup.ErrCorrotto) {
			t.Fatalf("not gzip: %v", err)
		}
		vuoto(t, empty, contenuto(t, storetest.New(t, db.Dialect())))
	})
}

// TestContenutoVede: Contenuto changes with any change of data.
func TestContenutoVede(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		c0 := contenuto(t, db)
		if err := db.Audit(ctx, ps.SystemActor, "prova", "", nil); err != nil {
			t.Fatal(err)
		}
		if diff := backup.Differenze(c0, contenuto(t, db)); len(diff) != 1 || diff[0] != "audit" {
			t.Fatalf("diff %v", diff)
		}
	})
}

// BenchmarkBackup dumps the demo database; MB/s is of the uncompressed
// stream.
func BenchmarkBackup(b *testing.B) {
	dumpB, _ := demoDump(b)
	for _, d := range storetest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.New(b, d)
			if _, err := backup.Restore(ctx, db, bytes.NewReader(dumpB)); err != nil {
				b.Fatal(err)
			}
			w := &countingWriter{}
			sum, err := backup.Backup(ctx, db, w)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(sum.Byte)
			for b.Loop() {
				if _, err := backup.Backup(ctx, db, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(sum.Righe), "rows")
			b.ReportMetric(float64(w.n), "gzip-bytes")
		})
	}
}

type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

// BenchmarkRestore restores the demo into a fresh database (created
// outside the timer); MB/s is of the uncompressed stream.
func BenchmarkRestore(b *testing.B) {
	dumpB, sum := demoDump(b)
	for _, d := range storetest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			b.SetBytes(sum.Byte)
			for b.Loop() {
				b.StopTimer()
				db := storetest.New(b, d)
				b.StartTimer()
				if _, err := backup.Restore(ctx, db, bytes.NewReader(dumpB)); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				db.Close()
				b.StartTimer()
			}
		})
	}
}

// TestBackupSenzaSessioni: sessions (credentials, even hashed) stay out of
// backups.
func TestBackupSenzaSessioni(t *testing.T) {
	db := storetest.New(t, store.SQLite)
	popola(t, db)
	var n int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("the test data hold no session (%d, %v)", n, err)
	}
	b, sum := dump(t, db)
	for _, tab := range sum.Tabelle {
		if tab.Nome == "sessions" {
			t.Fatalf("the backup holds the sessions table (%d rows)", tab.Righe)
		}
	}
	for _, l := range righe(t, b) {
		if strings.Contains(l, "sessions") {
			t.Fatalf("a line of the dump names the sessions: %.200q", l)
		}
	}
}
