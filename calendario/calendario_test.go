package calendario

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func d(y int, m time.Month, g int) time.Time { return time.Date(y, m, g, 0, 0, 0, 0, time.UTC) }

func ymd(t time.Time) string { return t.Format("Mon 2006-01-02") }

func TestPasqua(t *testing.T) {
	tests := []struct {
		year int
		want time.Time
	}{
		{1818, d(1818, time.March, 22)}, // earliest possible date
		{1943, d(1943, time.April, 25)}, // latest possible date
		{2000, d(2000, time.April, 23)},
		{2008, d(2008, time.March, 23)},
		{2019, d(2019, time.April, 21)},
		{2024, d(2024, time.March, 31)},
		{2025, d(2025, time.April, 20)},
		{2026, d(2026, time.April, 5)},
		{2027, d(2027, time.March, 28)},
		{2038, d(2038, time.April, 25)},
		{2285, d(2285, time.March, 22)},
	}
	for _, tt := range tests {
		if got := Pasqua(tt.year); !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("Pasqua(%d) = %v, want %v", tt.year, got, tt.want)
		}
		if wd := Pasqua(tt.year).Weekday(); wd != time.Sunday {
			t.Errorf("Pasqua(%d) is a %v", tt.year, wd)
		}
	}
}

// The published table of shared/data/calendario-scolastico-lombardia.md;
// 2026/27 is derived from the rule.
func TestPerAnno_DatePubblicate(t *testing.T) {
	tests := []struct {
		year                   int
		inizio, fine           time.Time
		carnevale1, carnevale2 time.Time
		pasquaDal, pasquaAl    time.Time
		inizioWd, fineWd       time.Weekday
	}{
		{2023, d(2023, 9, 12), d(2024, 6, 8), d(2024, 2, 12), d(2024, 2, 13), d(2024, 3, 28), d(2024, 4, 2), time.Tuesday, time.Saturday},
		{2024, d(2024, 9, 12), d(2025, 6, 7), d(2025, 3, 3), d(2025, 3, 4), d(2025, 4, 17), d(2025, 4, 22), time.Thursday, time.Saturday},
		{2025, d(2025, 9, 12), d(2026, 6, 8), d(2026, 2, 16), d(2026, 2, 17), d(2026, 4, 2), d(2026, 4, 7), time.Friday, time.Monday},
		{2026, d(2026, 9, 14), d(2027, 6, 8), d(2027, 2, 8), d(2027, 2, 9), d(2027, 3, 25), d(2027, 3, 30), time.Monday, time.Tuesday},
	}
	for _, tt := range tests {
		a := PerAnno(tt.year, Opzioni{SeiGiorni: true})
		name := a.String()
		if !a.Inizio.Equal(tt.inizio) || a.Inizio.Weekday() != tt.inizioWd {
			t.Errorf("%s Inizio = %s, want %s", name, ymd(a.Inizio), ymd(tt.inizio))
		}
		if !a.Fine.Equal(tt.fine) || a.Fine.Weekday() != tt.fineWd {
			t.Errorf("%s Fine = %s, want %s", name, ymd(a.Fine), ymd(tt.fine))
		}
		if want := (Periodo{tt.carnevale1, tt.carnevale2}); a.Carnevale != want {
			t.Errorf("%s Carnevale = %s..%s, want %s..%s", name, ymd(a.Carnevale.Dal), ymd(a.Carnevale.Al), ymd(want.Dal), ymd(want.Al))
		}
		if want := (Periodo{tt.pasquaDal, tt.pasquaAl}); a.VacanzePasqua != want {
			t.Errorf("%s VacanzePasqua = %s..%s, want %s..%s", name, ymd(a.VacanzePasqua.Dal), ymd(a.VacanzePasqua.Al), ymd(want.Dal), ymd(want.Al))
		}
		if want := (Periodo{d(tt.year, 12, 23), d(tt.year+1, 1, 6)}); a.VacanzeNatale != want {
			t.Errorf("%s VacanzeNatale = %v", name, a.VacanzeNatale)
		}
		// The boundaries must also be honoured by GiornoScolastico/Motivo.
		checks := []struct {
			day  time.Time
			want string
		}{
			{tt.inizio.AddDate(0, 0, -1), MotivoFuoriAnno},
			{tt.inizio, ""},
			{tt.fine, ""},
			{tt.fine.AddDate(0, 0, 1), MotivoFuoriAnno},
			{tt.carnevale1, MotivoCarnevale},
			{tt.carnevale2, MotivoCarnevale},
			{tt.carnevale1.AddDate(0, 0, -2), ""}, // Saturday before, 6-day week
			{tt.carnevale2.AddDate(0, 0, 1), ""},  // Ash Wednesday
			{tt.pasquaDal.AddDate(0, 0, -1), ""},  // Wednesday before Easter
			{tt.pasquaDal, MotivoPasqua},
			{tt.pasquaAl, MotivoPasqua},
			{tt.pasquaAl.AddDate(0, 0, 1), ""}, // Wednesday after Easter
		}
		for _, c := range checks {
			if got := a.Motivo(c.day); got != c.want {
				t.Errorf("%s Motivo(%s) = %q, want %q", name, ymd(c.day), got, c.want)
			}
			if got := a.GiornoScolastico(c.day); got != (c.want == "") {
				t.Errorf("%s GiornoScolastico(%s) = %v", name, ymd(c.day), got)
			}
		}
	}
}

// 12 Sep on a Sunday must start on Monday 13 (2027 has 12 Sep on a Sunday).
func TestPerAnno_InizioDomenica(t *testing.T) {
	if got := PerAnno(2027, Opzioni{}).Inizio; !got.Equal(d(2027, 9, 13)) {
		t.Errorf("2027/28 Inizio = %s, want Mon 2027-09-13", ymd(got))
	}
}

func TestPerAnno_CarnevaleAmbrosiano(t *testing.T) {
	tests := []struct {
		year     int
		ven, sab time.Time
	}{
		{2015, d(2016, 2, 12), d(2016, 2, 13)}, // as reported for 2016
		{2017, d(2018, 2, 16), d(2018, 2, 17)}, // as reported for 2018
		{2018, d(2019, 3, 8), d(2019, 3, 9)},   // as reported for 2019
		{2023, d(2024, 2, 16), d(2024, 2, 17)}, // as reported for 2024
		{2024, d(2025, 3, 7), d(2025, 3, 8)},   // Monza, Friday 7 March 2025
	}
	for _, tt := range tests {
		for _, sei := range []bool{true, false} {
			a := PerAnno(tt.year, Opzioni{Rito: Ambrosiano, SeiGiorni: sei})
			if want := (Periodo{tt.ven, tt.sab}); a.Carnevale != want {
				t.Errorf("%s Carnevale = %s..%s, want %s..%s", a, ymd(a.Carnevale.Dal), ymd(a.Carnevale.Al), ymd(want.Dal), ymd(want.Al))
			}
			if tt.ven.Weekday() != time.Friday {
				t.Fatalf("bad fixture %s", ymd(tt.ven))
			}
			for day, want := range map[time.Time]string{
				tt.ven:                   MotivoCarnevale,
				tt.sab:                   MotivoCarnevale,
				tt.ven.AddDate(0, 0, -1): "", // Thursday after Ash Wednesday
				tt.ven.AddDate(0, 0, -3): "", // Roman martedì grasso: school for Ambrosians
				tt.ven.AddDate(0, 0, -4): "", // Roman Monday
			} {
				if got := a.Motivo(day); got != want {
					t.Errorf("%s sei=%v Motivo(%s) = %q, want %q", a, sei, ymd(day), got, want)
				}
			}
		}
	}
}

func TestPerAnno_SettimanaCorta(t *testing.T) {
	sei := PerAnno(2023, Opzioni{SeiGiorni: true})
	cinque := PerAnno(2023, Opzioni{})
	sat := d(2023, 10, 14)
	if !sei.GiornoScolastico(sat) {
		t.Errorf("6-day: Saturday %s should be a school day, got %q", ymd(sat), sei.Motivo(sat))
	}
	if got := cinque.Motivo(sat); got != MotivoSabato {
		t.Errorf("5-day: Motivo(%s) = %q, want %q", ymd(sat), got, MotivoSabato)
	}
	// Fine is regional (Sat 8 Jun 2024) but a 5-day plesso's last lesson is Friday.
	if !cinque.Fine.Equal(d(2024, 6, 8)) {
		t.Errorf("5-day Fine = %s, want regional Sat 2024-06-08", ymd(cinque.Fine))
	}
	if u, ok := cinque.UltimoGiorno(); !ok || !u.Equal(d(2024, 6, 7)) {
		t.Errorf("5-day UltimoGiorno = %s, want Fri 2024-06-07", ymd(u))
	}
	if u, ok := sei.UltimoGiorno(); !ok || !u.Equal(d(2024, 6, 8)) {
		t.Errorf("6-day UltimoGiorno = %s, want Sat 2024-06-08", ymd(u))
	}
	if p, ok := cinque.PrimoGiorno(); !ok || !p.Equal(d(2023, 9, 12)) {
		t.Errorf("5-day PrimoGiorno = %s, want Tue 2023-09-12", ymd(p))
	}
	// A Saturday inside a break keeps the more specific reason.
	if got := cinque.Motivo(d(2023, 12, 23)); got != MotivoNatale {
		t.Errorf("5-day Motivo(Sat 2023-12-23) = %q, want %q", got, MotivoNatale)
	}
}

func TestPerAnno_Motivo(t *testing.T) {
	tests := []struct {
		name string
		year int
		day  time.Time
		want string
	}{
		{"domenica", 2024, d(2024, 9, 15), MotivoDomenica},
		{"Ognissanti venerdì", 2024, d(2024, 11, 1), MotivoFestivita},
		{"Immacolata domenica", 2024, d(2024, 12, 8), MotivoDomenica},
		{"Immacolata lunedì", 2025, d(2025, 12, 8), MotivoFestivita},
		{"Liberazione", 2024, d(2025, 4, 25), MotivoFestivita},
		{"Festa del lavoro", 2024, d(2025, 5, 1), MotivoFestivita},
		{"Repubblica", 2024, d(2025, 6, 2), MotivoFestivita},
		{"22 dicembre", 2025, d(2025, 12, 22), ""},
		{"23 dicembre", 2025, d(2025, 12, 23), MotivoNatale},
		{"Natale", 2025, d(2025, 12, 25), MotivoNatale},
		{"Epifania", 2025, d(2026, 1, 6), MotivoNatale},
		{"7 gennaio", 2025, d(2026, 1, 7), ""},
		{"Pasquetta", 2025, d(2026, 4, 6), MotivoPasqua},
		{"4 ottobre 2024, not yet a holiday", 2024, d(2024, 10, 4), ""},
		{"4 ottobre 2027, San Francesco", 2027, d(2027, 10, 4), MotivoFestivita},
		{"before Inizio", 2026, d(2026, 9, 12), MotivoFuoriAnno},
		{"summer", 2025, d(2026, 7, 15), MotivoFuoriAnno},
		{"other school year", 2025, d(2024, 10, 10), MotivoFuoriAnno},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := PerAnno(tt.year, Opzioni{SeiGiorni: true})
			if got := a.Motivo(tt.day); got != tt.want {
				t.Errorf("%s Motivo(%s) = %q, want %q", a, ymd(tt.day), got, tt.want)
			}
		})
	}
}

func TestPerAnno_Patrono(t *testing.T) {
	tests := []struct {
		citta   string
		patrono time.Time
		day     time.Time
	}{
		// The year of Patrono is ignored: only month and day count.
		{"Cremona, Sant'Omobono", d(1, 11, 13), d(2024, 11, 13)},
		{"Mantova, Sant'Anselmo", d(2000, 3, 18), d(2025, 3, 18)},
	}
	for _, tt := range tests {
		con := PerAnno(2024, Opzioni{Patrono: tt.patrono, SeiGiorni: true})
		senza := PerAnno(2024, Opzioni{SeiGiorni: true})
		if got := con.Motivo(tt.day); got != MotivoPatrono {
			t.Errorf("%s: Motivo(%s) = %q, want %q", tt.citta, ymd(tt.day), got, MotivoPatrono)
		}
		if !senza.GiornoScolastico(tt.day) {
			t.Errorf("%s: without patron %s should be a school day, got %q", tt.citta, ymd(tt.day), senza.Motivo(tt.day))
		}
		if n, m := len(con.GiorniScolastici()), len(senza.GiorniScolastici()); n != m-1 {
			t.Errorf("%s: %d school days with patron, %d without; want exactly one fewer", tt.citta, n, m)
		}
	}
}

func TestPerAnno_Chiusure(t *testing.T) {
	ponte := d(2025, 5, 2) // Friday after 1 May
	a := PerAnno(2024, Opzioni{SeiGiorni: true, ChiusureExtra: []time.Time{ponte, d(2025, 5, 3)}})
	if got := a.Motivo(ponte); got != MotivoChiusura {
		t.Errorf("Motivo(%s) = %q, want %q", ymd(ponte), got, MotivoChiusura)
	}
	if got := a.Motivo(d(2025, 5, 5)); got != "" {
		t.Errorf("Monday after ponte: Motivo = %q, want school day", got)
	}
}

func TestPerAnno_Override(t *testing.T) {
	o := Opzioni{
		Patrono: d(0, 11, 13),
		Override: map[string]bool{
			"2024-10-10": false, // ordinary Thursday closed by ATS (e.g. outbreak)
			"2024-11-13": true,  // patron day turned into a lesson day
			"2024-10-12": true,  // Saturday lesson in a 5-day plesso
			"2024-09-11": true,  // early start, before Inizio
			"2025-03-04": true,  // Carnival day recovered
			"2023-10-10": false, // 2023/24 date: ignored by the 2024/25 Anno
			"10/10/2024": false, // malformed: ignored
		},
	}
	a := PerAnno(2024, o)
	tests := []struct {
		day  time.Time
		want string
	}{
		{d(2023, 10, 10), MotivoFuoriAnno},
		{d(2024, 10, 10), MotivoOverrideATS},
		{d(2024, 11, 13), ""},
		{d(2024, 10, 12), ""},
		{d(2024, 9, 11), ""},
		{d(2025, 3, 4), ""},
		{d(2025, 3, 3), MotivoCarnevale},
		{d(2024, 10, 19), MotivoSabato},
	}
	for _, tt := range tests {
		if got := a.Motivo(tt.day); got != tt.want {
			t.Errorf("Motivo(%s) = %q, want %q", ymd(tt.day), got, tt.want)
		}
	}
	if got := PerAnno(2023, o).Motivo(d(2023, 10, 10)); got != MotivoOverrideATS {
		t.Errorf("2023/24 Motivo(2023-10-10) = %q, want %q", got, MotivoOverrideATS)
	}
	if p, _ := a.PrimoGiorno(); !p.Equal(d(2024, 9, 11)) {
		t.Errorf("PrimoGiorno = %s, want forced Wed 2024-09-11", ymd(p))
	}
	err := o.Valida()
	if err == nil || !strings.Contains(err.Error(), "10/10/2024") {
		t.Errorf("Valida() = %v, want error naming the malformed key", err)
	}
	if err := (Opzioni{Override: map[string]bool{"2025-01-31": true}}).Valida(); err != nil {
		t.Errorf("Valida() on good keys = %v", err)
	}
}

// The caller may change its slice and map afterwards without affecting Anno.
func TestPerAnno_Immutabile(t *testing.T) {
	o := Opzioni{SeiGiorni: true, ChiusureExtra: []time.Time{d(2025, 5, 2)}, Override: map[string]bool{}}
	a := PerAnno(2024, o)
	o.ChiusureExtra[0] = d(2025, 5, 5)
	o.Override["2025-05-06"] = false
	if a.Motivo(d(2025, 5, 2)) != MotivoChiusura || !a.GiornoScolastico(d(2025, 5, 5)) || !a.GiornoScolastico(d(2025, 5, 6)) {
		t.Error("Anno changed after the caller mutated Opzioni")
	}
}

// Counts worked out by hand: days from Inizio to Fine, minus Sundays, minus
// the non-Sunday days of breaks and holidays (and Saturdays for 5 days).
//
//	2024/25: 269 days, 38 Sundays, 24 other closed days -> 207; 39 Saturdays,
//	3 already in breaks -> 171.
//	2025/26: 270 days, 39 Sundays, 25 other closed days -> 206; 39 Saturdays,
//	5 already closed (1 Nov, 27 Dec, 3 Jan, 4 Apr, 25 Apr) -> 172.
func TestPerAnno_ConteggioGiorni(t *testing.T) {
	esatti := map[int][2]int{2024: {207, 171}, 2025: {206, 172}}
	for year := 2023; year <= 2030; year++ {
		sei := len(PerAnno(year, Opzioni{SeiGiorni: true}).GiorniScolastici())
		cinque := len(PerAnno(year, Opzioni{}).GiorniScolastici())
		if sei < 190 || sei > 215 {
			t.Errorf("%d: %d school days on 6-day week, want 190..215", year, sei)
		}
		if cinque >= sei || cinque < 160 {
			t.Errorf("%d: %d school days on 5-day week, want fewer than %d and >= 160", year, cinque, sei)
		}
		if want, ok := esatti[year]; ok && (sei != want[0] || cinque != want[1]) {
			t.Errorf("%d: got %d/%d school days (6/5-day), want %d/%d", year, sei, cinque, want[0], want[1])
		}
	}
}

func TestAnno_GiorniScolastici(t *testing.T) {
	a := PerAnno(2025, Opzioni{Rito: Ambrosiano, Patrono: d(0, 12, 7)})
	g := a.GiorniScolastici()
	if !slices.IsSortedFunc(g, func(x, y time.Time) int { return x.Compare(y) }) {
		t.Fatal("GiorniScolastici not sorted")
	}
	set := map[time.Time]bool{}
	for _, x := range g {
		if x.Location() != time.UTC || x.Hour() != 0 {
			t.Fatalf("%v is not a civil UTC date", x)
		}
		set[x] = true
	}
	// Every day of the school year agrees with GiornoScolastico.
	for x := d(2025, 9, 1); x.Before(d(2026, 9, 1)); x = x.AddDate(0, 0, 1) {
		if set[x] != a.GiornoScolastico(x) {
			t.Errorf("%s: in list %v, GiornoScolastico %v", ymd(x), set[x], a.GiornoScolastico(x))
		}
	}
}

func TestAnno_GiorniTra(t *testing.T) {
	a := PerAnno(2024, Opzioni{})
	// Week of 1 Nov 2024 (Friday holiday), 5-day week.
	got := a.GiorniTra(d(2024, 10, 28), d(2024, 11, 3))
	want := []time.Time{d(2024, 10, 28), d(2024, 10, 29), d(2024, 10, 30), d(2024, 10, 31)}
	if !slices.Equal(got, want) {
		t.Errorf("GiorniTra = %v, want %v", got, want)
	}
	if got := a.GiorniTra(d(2024, 11, 3), d(2024, 10, 28)); got != nil {
		t.Errorf("reversed range = %v, want nil", got)
	}
	// A range larger than the year is clamped and equals the whole list.
	if all, g := a.GiorniTra(d(2000, 1, 1), d(2100, 1, 1)), a.GiorniScolastici(); !slices.Equal(all, g) {
		t.Errorf("wide range: %d days, GiorniScolastici %d", len(all), len(g))
	}
	// Inputs with a time of day and zone are reduced to their own civil date.
	rome := time.FixedZone("CET", 3600)
	got = a.GiorniTra(time.Date(2024, 10, 28, 23, 30, 0, 0, rome), time.Date(2024, 10, 29, 0, 15, 0, 0, rome))
	if !slices.Equal(got, want[:2]) {
		t.Errorf("zoned range = %v, want %v", got, want[:2])
	}
}

func TestAnnoDi(t *testing.T) {
	tests := []struct {
		day  time.Time
		want int
	}{
		{d(2025, 8, 31), 2024},
		{d(2025, 9, 1), 2025},
		{d(2025, 12, 31), 2025},
		{d(2026, 1, 1), 2025},
		{d(2026, 6, 8), 2025},
	}
	for _, tt := range tests {
		if got := AnnoDi(tt.day); got != tt.want {
			t.Errorf("AnnoDi(%s) = %d, want %d", ymd(tt.day), got, tt.want)
		}
	}
}

func TestStringers(t *testing.T) {
	if s := PerAnno(2025, Opzioni{}).String(); s != "2025/26" {
		t.Errorf("Anno.String = %q", s)
	}
	if s := PerAnno(2099, Opzioni{}).String(); s != "2099/00" {
		t.Errorf("Anno.String = %q", s)
	}
	if Romano.String() != "romano" || Ambrosiano.String() != "ambrosiano" || Rito(7).String() != "Rito(7)" {
		t.Error("Rito.String")
	}
}

func BenchmarkPerAnno(b *testing.B) {
	o := Opzioni{Rito: Ambrosiano, Patrono: d(0, 11, 13), ChiusureExtra: []time.Time{d(2025, 12, 22)}}
	for b.Loop() {
		_ = PerAnno(2025, o)
	}
}

func BenchmarkGiorniScolastici(b *testing.B) {
	a := PerAnno(2025, Opzioni{Rito: Ambrosiano, Patrono: d(0, 11, 13)})
	for b.Loop() {
		_ = a.GiorniScolastici()
	}
}

func TestAnnoMostrato(t *testing.T) {
	first := PerAnno(2026, Opzioni{}).Inizio
	for _, c := range []struct {
		day  time.Time
		want int
	}{
		{time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC), 2025},
		{time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), 2025},
		{first.AddDate(0, 0, -1), 2025},
		{first, 2026},
		{time.Date(2026, 12, 8, 23, 0, 0, 0, time.UTC), 2026},
		{time.Date(2027, 1, 7, 0, 0, 0, 0, time.UTC), 2026},
	} {
		if got := AnnoMostrato(c.day); got != c.want {
			t.Errorf("AnnoMostrato(%s) = %d, want %d (first lesson day %s)", c.day.Format(time.DateOnly), got, c.want, first.Format(time.DateOnly))
		}
	}
}
