package allerta_test

import (
	"bytes"
	"encoding/base64"
	"log/slog"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/allerta"
	"github.com/portalescuole/portalescuole/demo"
	"github.com/portalescuole/portalescuole/mail"
	"github.com/portalescuole/portalescuole/mail/smtptest"
	"github.com/portalescuole/portalescuole/serie"
	"github.com/portalescuole/portalescuole/store"
	"github.com/portalescuole/portalescuole/store/storetest"
)

// weeklyDaily is six school years of Monday–Friday points (no school from
// mid-June to mid-September) around 3% absent, with a seasonal wave and a
// tripled rate in the last two weeks.
func weeklyDaily() ([]serie.Punto, time.Time) {
	var out []serie.Punto
	start := time.Date(2020, 9, 14, 0, 0, 0, 0, time.UTC) // a Monday
	end := time.Date(2026, 5, 29, 0, 0, 0, 0, time.UTC)   // a Friday
	burst := end.AddDate(0, 0, -11)                       // Monday of the last two weeks
	i := 0
	for d := start; !d.After(end); d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		if m := d.Month(); m == time.July || m == time.August || (m == time.June && d.Day() > 12) || (m == time.September && d.Day() < 12) {
			continue
		}
		i++
		rate := 0.03 + 0.004*math.Sin(float64(d.YearDay())/365*2*math.Pi) + 0.002*float64((i*7)%5)/4
		if !d.Before(burst) {
			rate *= 3
		}
		out = append(out, serie.Punto{Giorno: d, Iscritti: 20000, Assenti: int(rate * 20000), Plessi: 90})
	}
	return out, burst
}

// TestSettimanali: weekly Farrington on the weekly sums of a daily series
// signals the burst weeks, dated by their Monday, with rates and the
// method; never a week without school; dal limits the weeks reported.
func TestSettimanali(t *testing.T) {
	daily, burst := weeklyDaily()
	m := allerta.Monitorata{Nome: "territorio", Punti: daily}
	all, err := allerta.Settimanali(m, daily[0].Giorno, true)
	if err != nil {
		t.Fatal(err)
	}
	school := map[time.Time]bool{}
	for _, p := range daily {
		school[serie.Lunedi(p.Giorno)] = true
	}
	burstWeeks := map[time.Time]bool{}
	for _, g := range all {
		if g.Giorno.Weekday() != time.Monday || !school[g.Giorno] {
			t.Errorf("signal on %s: not the Monday of a school week", g.Giorno.Format(ps.DateLayout))
		}
		if g.Metodo != allerta.MetodoSettimanale || g.Serie != "territorio" || !(g.Osservato > g.Soglia) || !(g.Soglia > g.Atteso) {
			t.Errorf("signal %+v: method, series or rates wrong", g)
		}
		if !g.Giorno.Before(burst) {
			burstWeeks[g.Giorno] = true
		}
	}
	// The two burst weeks are one episode, from the first to the second.
	var ep *ps.Segnale
	for i := range all {
		if !all[i].Giorno.Before(burst) {
			ep = &all[i]
		}
	}
	if len(burstWeeks) != 1 || ep == nil || !ep.Giorno.Equal(burst) || !ep.Al.Equal(burst.AddDate(0, 0, 7)) {
		t.Fatalf("the burst is not one episode over its 2 weeks: %d episodes from it (%d in all), %+v", len(burstWeeks), len(all), ep)
	}
	t.Logf("%d signals, %d in the burst", len(all), len(burstWeeks))
	if len(all) > 10 {
		t.Errorf("%d signals on six years of a quiet series", len(all))
	}
	since, err := allerta.Settimanali(m, burst, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(since) != 1 || !since[0].Giorno.Equal(burst) || !since[0].Al.Equal(burst.AddDate(0, 0, 7)) {
		t.Fatalf("from the burst on: %+v, want one episode over its 2 weeks", since)
	}
	if none, err := allerta.Settimanali(m, burst.AddDate(0, 0, 14), false); err != nil || len(none) != 0 {
		t.Fatalf("after the last week: %v %v", none, err)
	}
}

// TestImportaInfluNet: the shipped file is recognised and stored; a second
// import replaces, a changed week is updated, and a bad file changes nothing.
func TestImportaInfluNet(t *testing.T) {
	file, err := os.ReadFile("../demo/data/influnet-lombardia-settimanale.csv")
	if err != nil {
		t.Fatal(err)
	}
	if !allerta.IsInfluNet(file) || allerta.IsInfluNet([]byte("data,assenti\n2026-11-23,3\n")) {
		t.Fatal("IsInfluNet does not tell the InfluNet file from an absence file")
	}
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		a := ps.Actor{Username: "operatore"}
		n, err := allerta.ImportaInfluNet(ctx, db, a, file)
		if err != nil || n != 346 {
			t.Fatalf("import: %d weeks, %v", n, err)
		}
		weeks := func() []store.InfluNetSettimana {
			w, err := db.InfluNet(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return w
		}
		first := weeks()
		if len(first) != 346 || first[0].Settimana != "2012-01" || first[0].Stagione != "2011-2012" || first[0].Incidenza != 2.35 {
			t.Fatalf("%d weeks, first %+v", len(first), first[0])
		}
		if _, err := allerta.ImportaInfluNet(ctx, db, a, file); err != nil || len(weeks()) != 346 {
			t.Fatalf("second import: %d weeks, %v", len(weeks()), err)
		}
		changed := bytes.Replace(file, []byte(`"2012-01","Lombardy",122,409,172450,2.37,58,4.46,53,2.35,`), []byte(`"2012-01","Lombardy",122,409,172450,2.37,58,4.46,53,9.5,`), 1)
		if bytes.Equal(changed, file) {
			t.Fatal("the week to change is not in the file")
		}
		if _, err := allerta.ImportaInfluNet(ctx, db, a, changed); err != nil {
			t.Fatal(err)
		}
		if w := weeks(); len(w) != 346 || w[0].Incidenza != 9.5 {
			t.Fatalf("changed week: %+v (%d weeks)", w[0], len(w))
		}
		bad := append(bytes.Clone(file), []byte("\"2030-2031\",\"2030-50\",\"Lombardy\",1,1,1,1,1,1,1,abc,1,1,1,1\n")...)
		if _, err := allerta.ImportaInfluNet(ctx, db, a, bad); err == nil {
			t.Fatal("a file with a bad number was accepted")
		}
		if w := weeks(); len(w) != 346 || w[0].Incidenza != 9.5 {
			t.Fatalf("a refused file changed the weeks: %d, first %+v", len(w), w[0])
		}
	})
}

// TestInviaBollettino: the Monday bulletin goes to every address of the
// ATS list once per week, with the PDF attached, over real SMTP.
func TestInviaBollettino(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 23, 9, 0, 0, 0, rome)
		if err := demo.Seed(ctx, db, now); err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return now }
		st, err := db.Settings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		st.EmailAllerte = "sorveglianza@ats.example, direzione@ats.example"
		if err := db.SaveSettings(ctx, ps.Actor{Username: "admin"}, st); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(`DELETE FROM outbox`); err != nil {
			t.Fatal(err)
		}
		monday := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
		if n, err := allerta.InviaBollettino(ctx, db, monday, now, rome); err != nil || n != 2 {
			t.Fatalf("queued %d, %v; want 2", n, err)
		}
		if n, err := allerta.InviaBollettino(ctx, db, monday.AddDate(0, 0, 2), now, rome); err != nil || n != 0 {
			t.Fatalf("the same week again queued %d, %v", n, err)
		}
		srv := smtptest.NewServer(t)
		w := mail.NewWorker(db, mail.NewSMTP(mail.Config{Host: "127.0.0.1", Port: srv.Port, TLS: "none", From: "portale@ats.example"}),
			slog.New(slog.DiscardHandler), time.Hour)
		if n := w.Drain(ctx); n != 2 {
			t.Fatalf("sent %d", n)
		}
		got := srv.Messages()
		to := map[string]bool{}
		for _, m := range got {
			to[m.To[0]] = true
			if s := m.Header("Subject"); !strings.Contains(s, "16/11") || !strings.Contains(s, "21/11/2026") {
				t.Errorf("subject %q", s)
			}
			if !strings.Contains(m.Data, "bollettino-2026-11-16.pdf") || !strings.Contains(m.Data, "application/pdf") {
				t.Fatalf("no PDF attachment named for the week:\n%.600s", m.Data)
			}
			if !strings.Contains(m.Data, base64.StdEncoding.EncodeToString([]byte("%PDF-"))[:6]) {
				t.Errorf("the attachment is not a PDF")
			}
		}
		if len(got) != 2 || !to["sorveglianza@ats.example"] || !to["direzione@ats.example"] {
			t.Fatalf("delivered to %v", to)
		}
	})
}
