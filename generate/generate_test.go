package generate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/calendario"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// The tests' clock: the school year 2024/25 is under way, so the last year
// generated is partial (absences up to 14 March 2025).
var testNow = time.Date(2025, time.March, 15, 10, 0, 0, 0, time.UTC)

var testOpzioni = Opzioni{Plessi: 300, Anni: 2, Seed: 42}

func nuovoDB(t testing.TB, d store.Dialect) *store.DB {
	db := storetest.New(t, d)
	db.Now = func() time.Time { return testNow }
	return db
}

func TestProvince(t *testing.T) {
	if len(province) != 107 {
		t.Errorf("%d province, want 107", len(province))
	}
	sigle, istat := map[string]bool{}, map[int]bool{}
	for _, p := range province {
		if len(p.Sigla) != 2 || strings.ToUpper(p.Sigla) != p.Sigla || sigle[p.Sigla] || istat[p.Istat] || p.Pop <= 0 {
			t.Errorf("provincia %+v non valida o ripetuta", p)
		}
		sigle[p.Sigla], istat[p.Istat] = true, true
	}
	var q float64
	for _, tp := range tipiSecondaria2 {
		q += tp.Quota
		if g := ps.GradoFromCodice("XX" + tp.Sigla + "000010"); g != ps.Secondaria2 {
			t.Errorf("tipo %s: grado %s", tp.Sigla, g)
		}
	}
	if math.Abs(q-1) > 1e-9 {
		t.Errorf("quote dei tipi di secondaria II: somma %g", q)
	}
}

func TestOpzioni(t *testing.T) {
	for _, o := range []Opzioni{{Plessi: 0, Anni: 1}, {Plessi: 10, Anni: 0}, {Plessi: 10, Anni: 1, Quota: 1.5},
		{Plessi: 10, Anni: 1, UltimoAnno: 2030}} {
		if _, err := o.normalizza(testNow); err == nil {
			t.Errorf("%+v: nessun errore", o)
		}
	}
	o, err := Opzioni{Plessi: 10, Anni: 3}.normalizza(testNow)
	if err != nil || o.Quota != DefaultQuota || o.UltimoAnno != 2024 {
		t.Errorf("default: %+v, %v", o, err)
	}
}

func TestGenera(t *testing.T) {
	sums := map[store.Dialect]string{}
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			db := nuovoDB(t, d)
			var log bytes.Buffer
			rie, err := Genera(ctx, db, testOpzioni, &log)
			if err != nil {
				t.Fatal(err)
			}
			t.Log("\n" + log.String())
			verifica(t, db, rie)
			sums[d] = checksum(t, db)
			// The bulk sentinel rows are counted, as SetSentinella counts
			// its own, so running servers rebuild their sentinel series.
			if f, err := db.FirmaSentinelle(ctx); err != nil || f == "0" {
				t.Errorf("firma delle sentinelle %q dopo la generazione (%v)", f, err)
			}

			// The same options and seed give the same data (on PostgreSQL
			// also when written with INSERT instead of COPY).
			db2 := nuovoDB(t, d)
			copiaPostgres = false
			rie2, err := Genera(ctx, db2, testOpzioni, nil)
			copiaPostgres = true
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(rie.Righe) != fmt.Sprint(rie2.Righe) || rie.Chiusure != rie2.Chiusure {
				t.Errorf("conteggi diversi con lo stesso seed: %v / %v", rie.Righe, rie2.Righe)
			}
			if s2 := checksum(t, db2); s2 != sums[d] {
				t.Errorf("checksum diverso con lo stesso seed: %s / %s", sums[d], s2)
			}
			// Another seed gives other data.
			db3 := nuovoDB(t, d)
			o := testOpzioni
			o.Seed++
			if _, err := Genera(ctx, db3, o, nil); err != nil {
				t.Fatal(err)
			}
			if s3 := checksum(t, db3); s3 == sums[d] {
				t.Error("stesso checksum con un altro seed")
			}

			// A database with plessi is refused, and left alone.
			_, err = Genera(ctx, db, testOpzioni, nil)
			var nv *ErrNonVuoto
			if !errors.As(err, &nv) || nv.Plessi != testOpzioni.Plessi || !strings.Contains(err.Error(), "non è vuoto") {
				t.Errorf("database non vuoto: %v", err)
			}
			if n := count(t, db, `SELECT COUNT(*) FROM audit WHERE action = 'genera'`); n != 1 {
				t.Errorf("%d righe di audit genera dopo il rifiuto", n)
			}
		})
	}
	if len(sums) == 2 && sums[store.SQLite] != sums[store.Postgres] {
		t.Errorf("SQLite e PostgreSQL hanno dati diversi: %s / %s", sums[store.SQLite], sums[store.Postgres])
	}
}

func count(t testing.TB, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// checksum hashes the generated tables in a fixed order (users and audit
// aside: passwords and the time of the run differ).
func checksum(t testing.TB, db *store.DB) string {
	t.Helper()
	h := sha256.New()
	for _, q := range []string{
		`SELECT codice, nome, istituto, grado, provincia, codice_catastale, indirizzo FROM plessi ORDER BY codice`,
		`SELECT codice_istat, nome, codice_catastale, distretto FROM comuni ORDER BY codice_istat`,
		`SELECT plesso, anno, revisione, iscritti, classi, valido_dal, creato_il FROM consistenze ORDER BY plesso, anno, revisione`,
		`SELECT plesso, anno, studenti FROM studenti_mim ORDER BY plesso, anno`,
		`SELECT plesso, anno FROM sentinelle ORDER BY plesso, anno`,
		`SELECT plesso, giorno, chiuso, motivo_chiusura, COALESCE(assenti, -1), COALESCE(febbre, -1), COALESCE(non_malattia, -1),
			segnalato_il, fonte FROM assenze ORDER BY plesso, giorno`,
	} {
		rows, err := db.SQL().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				s := v.String
				// Booleans read back as "1"/"0" (SQLite) or "true"/"false".
				switch s {
				case "true":
					s = "1"
				case "false":
					s = "0"
				}
				fmt.Fprintf(h, "%s|", s)
			}
			h.Write([]byte{'\n'})
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return hex.EncodeToString(h.Sum(nil))
}

func verifica(t *testing.T, db *store.DB, rie Riepilogo) {
	ctx := context.Background()
	o := testOpzioni
	for table, n := range rie.Righe {
		if got := count(t, db, `SELECT COUNT(*) FROM `+table); int64(got) != n {
			t.Errorf("%s: %d righe, il riepilogo dice %d", table, got, n)
		}
	}
	if fmt.Sprint(rie.Anni) != "[2023/24 2024/25]" {
		t.Errorf("anni %v", rie.Anni)
	}

	// Plessi: valid, unique codes whose letters agree with grade and province.
	plessi, err := db.Plessi(ctx, store.PlessoFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(plessi) != o.Plessi {
		t.Fatalf("%d plessi, want %d", len(plessi), o.Plessi)
	}
	seen := map[string]bool{}
	gradi := map[ps.Grado]int{}
	byCode := map[string]ps.Plesso{}
	for _, p := range plessi {
		if !ps.ValidCodice(p.Codice) || seen[p.Codice] {
			t.Errorf("codice %q non valido o ripetuto", p.Codice)
		}
		seen[p.Codice] = true
		byCode[p.Codice] = p
		if ps.GradoFromCodice(p.Codice) != p.Grado || ps.Provincia(p.Codice) != p.Provincia || !p.Attivo {
			t.Errorf("plesso %+v incoerente", p)
		}
		if p.Distretto == "" || p.CodiceCatastale == "" || (p.Istituto == "") != p.Paritaria {
			t.Errorf("plesso %s: distretto %q, comune %q, istituto %q, paritaria %v", p.Codice, p.Distretto, p.CodiceCatastale, p.Istituto, p.Paritaria)
		}
		gradi[p.Grado]++
	}
	for g, want := range map[ps.Grado]float64{ps.Primaria: 0.45, ps.Secondaria1: 0.25, ps.Secondaria2: 0.30} {
		if share := float64(gradi[g]) / float64(o.Plessi); math.Abs(share-want) > 0.03 {
			t.Errorf("%s: %.2f dei plessi, atteso %.2f", g, share, want)
		}
	}
	istituti, err := db.Istituti(ctx)
	if err != nil || len(istituti) == 0 {
		t.Fatalf("istituti: %d, %v", len(istituti), err)
	}
	for _, i := range istituti {
		if !ps.ValidCodice(i.Codice) || ps.GradoFromCodice(i.Codice) != ps.AltroGrado {
			t.Errorf("istituto %q", i.Codice)
		}
	}
	if n := count(t, db, `SELECT COUNT(*) FROM plessi p WHERE istituto <> '' AND NOT EXISTS (SELECT 1 FROM istituti i WHERE i.codice = p.istituto)`); n != 0 {
		t.Errorf("%d plessi con un istituto inesistente", n)
	}

	for _, anno := range rie.Anni {
		// One consistenza (revision 1 effective from 1 September) per plesso and year.
		if n := count(t, db, `SELECT COUNT(*) FROM consistenze WHERE anno = $1 AND revisione = 1 AND valido_dal = $2`,
			int(anno), anno.Inizio().Format(ps.DateLayout)); n != o.Plessi {
			t.Errorf("%s: %d prime revisioni, want %d", anno, n, o.Plessi)
		}
		if n := count(t, db, `SELECT COUNT(DISTINCT plesso) FROM consistenze WHERE anno = $1`, int(anno)); n != o.Plessi {
			t.Errorf("%s: consistenze per %d plessi", anno, n)
		}
		if n := count(t, db, `SELECT COUNT(*) FROM studenti_mim WHERE anno = $1`, int(anno)); n != o.Plessi {
			t.Errorf("%s: %d conteggi MIM", anno, n)
		}
		// Sentinels: the quota, spread over provinces and grades.
		sent, err := db.Sentinelle(ctx, anno)
		if err != nil {
			t.Fatal(err)
		}
		if want := int(math.Round(DefaultQuota * float64(o.Plessi))); len(sent) != want {
			t.Errorf("%s: %d sentinelle, want %d", anno, len(sent), want)
		}
		sg := map[ps.Grado]int{}
		for _, c := range sent {
			sg[byCode[c].Grado]++
		}
		for g, n := range gradi {
			if want := DefaultQuota * float64(n); math.Abs(float64(sg[g])-want) > 1.5 {
				t.Errorf("%s: %d sentinelle %s su %d plessi", anno, sg[g], g, n)
			}
		}
	}
	if n := count(t, db, `SELECT COUNT(*) FROM consistenze WHERE revisione = 2`); n == 0 {
		t.Error("nessuna seconda revisione")
	}

	// Absences: only sentinels, only their school days before today,
	// plesso totals, revision 1, reasons summing to the absent pupils, no
	// more absent than enrolled.
	if n := count(t, db, `SELECT COUNT(*) FROM assenze a WHERE NOT EXISTS (SELECT 1 FROM sentinelle s WHERE s.plesso = a.plesso
		AND s.anno = CAST(SUBSTR(a.giorno, 1, 4) AS INTEGER) - CASE WHEN SUBSTR(a.giorno, 6, 2) < '09' THEN 1 ELSE 0 END)`); n != 0 {
		t.Errorf("%d giorni di plessi non sentinella", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM assenze WHERE classe <> '' OR revisione <> 1 OR giorno >= '2025-03-15' OR segnalato_il < giorno
		OR (chiuso AND (assenti IS NOT NULL OR motivo_chiusura = ''))
		OR (NOT chiuso AND (assenti IS NULL OR febbre + gastro + altra_malattia + non_malattia <> assenti))`); n != 0 {
		t.Errorf("%d righe di assenza malformate", n)
	}
	if n := count(t, db, `SELECT COUNT(*) FROM assenze WHERE chiuso`); n != rie.Chiusure {
		t.Errorf("%d chiusure, il riepilogo dice %d", n, rie.Chiusure)
	}
	sei := map[string]bool{}
	cr, err := db.SQL().Query(`SELECT plesso FROM plessi_calendario WHERE sei_giorni`)
	if err != nil {
		t.Fatal(err)
	}
	for cr.Next() {
		var p string
		if err := cr.Scan(&p); err != nil {
			t.Fatal(err)
		}
		sei[p] = true
	}
	cr.Close()
	rows, err := db.SQL().Query(`SELECT plesso, giorno, COALESCE(assenti, 0) FROM assenze`)
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		plesso string
		anno   int
	}
	cals := map[key]calendario.Anno{}
	revs := map[string][]ps.Consistenza{}
	perAnno := map[key]int{}
	nrows := 0
	for rows.Next() {
		var plesso, g string
		var assenti int
		if err := rows.Scan(&plesso, &g, &assenti); err != nil {
			t.Fatal(err)
		}
		nrows++
		d, _ := time.Parse(ps.DateLayout, g)
		k := key{plesso, calendario.AnnoDi(d)}
		perAnno[k]++
		cal, ok := cals[k]
		if !ok {
			cal = calendario.PerAnno(k.anno, calendario.Opzioni{SeiGiorni: sei[plesso]})
			cals[k] = cal
		}
		if !cal.GiornoScolastico(d) {
			t.Errorf("%s %s: non è un giorno di scuola (%s)", plesso, g, cal.Motivo(d))
		}
		if revs[plesso] == nil {
			if revs[plesso], err = db.Consistenze(ctx, plesso); err != nil {
				t.Fatal(err)
			}
		}
		if c := store.InVigore(revs[plesso], d); c == nil || assenti > c.Iscritti {
			t.Errorf("%s %s: %d assenti, consistenza %+v", plesso, g, assenti, c)
		}
	}
	rows.Close()
	if nrows == 0 {
		t.Fatal("nessuna assenza")
	}
	// Every sentinel reports most of its school days (90% on time, 5% late,
	// 5% never in the simulator).
	for _, anno := range rie.Anni {
		sent, _ := db.Sentinelle(ctx, anno)
		for _, c := range sent {
			cal := calendario.PerAnno(int(anno), calendario.Opzioni{SeiGiorni: sei[c]})
			days := len(cal.GiorniTra(anno.Inizio(), testNow.AddDate(0, 0, -1)))
			if got := perAnno[key{c, int(anno)}]; float64(got) < 0.85*float64(days) || got > days {
				t.Errorf("%s %s: %d giorni segnalati su %d", anno, c, got, days)
			}
		}
	}

	// The store's readers accept the data.
	obs, err := db.Osservazioni(ctx, rie.Anni[0].Inizio(), testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(obs) == 0 || len(obs) > nrows-rie.Chiusure {
		t.Errorf("%d osservazioni da %d righe", len(obs), nrows)
	}
	for _, ob := range obs[:min(len(obs), 50)] {
		if ob.Iscritti <= 0 || ob.Assenti > ob.Iscritti || ob.Malattia < 0 || ob.Strato.Provincia == "" || ob.Strato.Distretto == "" {
			t.Errorf("osservazione %+v", ob)
		}
	}
	c, err := db.ConsistenzaInVigore(ctx, obs[0].Plesso, obs[0].Giorno)
	if err != nil || c.Iscritti != obs[0].Iscritti {
		t.Errorf("ConsistenzaInVigore(%s, %s) = %+v, %v; osservazione %d", obs[0].Plesso, obs[0].Giorno.Format(ps.DateLayout), c, err, obs[0].Iscritti)
	}
	ril, err := db.Rilevazioni(ctx, obs[0].Plesso, rie.Anni[0].Inizio(), testNow)
	if err != nil || len(ril) == 0 {
		t.Errorf("Rilevazioni: %d, %v", len(ril), err)
	}
	cal, err := db.AnnoCalendario(ctx, func() *ps.Plesso { p := byCode[obs[0].Plesso]; return &p }(), rie.Anni[0])
	if err != nil || !cal.GiornoScolastico(obs[0].Giorno) {
		t.Errorf("AnnoCalendario: %v", err)
	}
	ad, err := db.Adempimenti(ctx, rie.Anni[1], store.PlessoFilter{})
	if err != nil || len(ad) != o.Plessi {
		t.Errorf("Adempimenti: %d, %v", len(ad), err)
	}

	// Accounts and the single audit line.
	for _, u := range []string{"admin", "operatore.ats"} {
		if _, err := db.UserByUsername(ctx, u); err != nil {
			t.Errorf("utente %s: %v", u, err)
		}
	}
	if len(rie.Utenti) != 2 || rie.Utenti[0].Password == "" {
		t.Errorf("credenziali %+v", rie.Utenti)
	}
	entries, total, err := db.FindAudit(ctx, ps.AuditFilter{})
	if err != nil || total != 1 || entries[0].Action != "genera" || !strings.Contains(entries[0].Detail, `"assenze":`) {
		t.Errorf("audit: %d righe, %+v, %v", total, entries, err)
	}
	s, err := db.Settings(ctx)
	if err != nil || s.Province != "" {
		t.Errorf("territorio %q, %v", s.Province, err)
	}
}

// cancella cancels a context when the progress reaches the absences.
type cancella struct{ cancel context.CancelFunc }

func (c cancella) Write(p []byte) (int, error) {
	if strings.Contains(string(p), "consistenze:") {
		c.cancel()
	}
	return len(p), nil
}

// An interrupted run leaves the database as it was: empty.
func TestAnnullato(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return testNow }
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		if _, err := Genera(ctx, db, testOpzioni, cancella{cancel}); !errors.Is(err, context.Canceled) {
			t.Errorf("errore %v, want context.Canceled", err)
		}
		for _, table := range []string{"plessi", "comuni", "consistenze", "assenze", "audit", "users"} {
			if n := count(t, db, `SELECT COUNT(*) FROM `+table); n != 0 {
				t.Errorf("%s: %d righe dopo l'interruzione", table, n)
			}
		}
		// And it can then be filled.
		if _, err := Genera(context.Background(), db, testOpzioni, nil); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSentinelleRuotano(t *testing.T) {
	o, _ := Opzioni{Plessi: 2000, Anni: 3, Seed: 1}.normalizza(testNow)
	a := costruisci(o)
	s := sentinelle(a, o)
	for y := 1; y < len(s); y++ {
		prev := map[int]bool{}
		for _, i := range s[y-1] {
			prev[i] = true
		}
		same := 0
		for _, i := range s[y] {
			if prev[i] {
				same++
			}
		}
		if share := float64(same) / float64(len(s[y])); share < 0.5 || share > 0.95 {
			t.Errorf("anno %d: %.2f delle sentinelle erano già sentinelle", y, share)
		}
	}
	tot := 0
	for i := range a.plessi {
		tot += a.plessi[i].iscritti[0]
	}
	// ~7 million pupils for 40,000 plessi: ~175 per plesso.
	if per := float64(tot) / float64(len(a.plessi)); per < 155 || per > 195 {
		t.Errorf("%.0f alunni per plesso", per)
	}
}

// BenchmarkGenera generates 2,000 plessi for one school year.
func BenchmarkGenera(b *testing.B) {
	for _, d := range storetest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				db := nuovoDB(b, d)
				b.StartTimer()
				rie, err := Genera(context.Background(), db, Opzioni{Plessi: 2000, Anni: 1, Seed: 1, UltimoAnno: 2023}, nil)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(rie.Righe["assenze"]), "assenze/op")
			}
		})
	}
}

// TestMisura measures a large run on a database named by GENERA_DSN (a
// SQLite path or a postgres:// DSN of an empty database), with
// GENERA_PLESSI and GENERA_ANNI (default 40000 and 5), e.g.
//
//	GENERA_DSN=/tmp/generate.db go test ./generate -run TestMisura -v -timeout 30m
func TestMisura(t *testing.T) {
	dsn := os.Getenv("GENERA_DSN")
	if dsn == "" {
		t.Skip("GENERA_DSN non impostato")
	}
	env := func(k string, def int) int {
		if v, err := strconv.Atoi(os.Getenv(k)); err == nil {
			return v
		}
		return def
	}
	if n := env("GENERA_RIGHE", 0); n > 0 {
		maxRighe = n
	}
	copiaPostgres = os.Getenv("GENERA_INSERT") == ""
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rie, err := Genera(ctx, db, Opzioni{Plessi: env("GENERA_PLESSI", 40000), Anni: env("GENERA_ANNI", 5), Seed: 1}, &testWriter{t})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("durata %s, righe %v, sentinelle %v, stagioni %v, alunni %d", rie.Durata, rie.Righe, rie.Sentinelle, rie.Stagioni, rie.Iscritti)
	// How the portal's main reader copes with a whole year of the data.
	anno := rie.Anni[max(0, len(rie.Anni)-2)]
	t0 := time.Now()
	obs, err := db.Osservazioni(ctx, anno.Inizio(), (anno+1).Inizio().AddDate(0, 0, -1))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Osservazioni dell'anno %s: %d in %s", anno, len(obs), time.Since(t0).Round(time.Millisecond))
}

type testWriter struct{ t *testing.T }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
