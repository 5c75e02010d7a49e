// Package calendario implements the permanent Lombardy school calendar
// (DGR IX/3318 of 18 April 2012) as pure functions, so absence counts can be
// related to the days on which a plesso actually held lessons.
//
// All dates are civil dates: every time.Time returned is midnight UTC
// (time.Date(y, m, d, 0, 0, 0, 0, time.UTC)). Inputs are reduced to their
// civil date in their own location (t.Date()), so the hour and zone of an
// input never move it to another day.
//
// An Anno is immutable once built and safe for concurrent use.
package calendario

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// Rito is the liturgical rite of the parish, which decides the Carnival days.
type Rito int

const (
	// Romano is the zero value because it is the regional default rule.
	Romano Rito = iota
	// Ambrosiano applies to most of the Archdiocese of Milan (e.g. Milano, Monza).
	Ambrosiano
)

func (r Rito) String() string {
	switch r {
	case Romano:
		return "romano"
	case Ambrosiano:
		return "ambrosiano"
	}
	return fmt.Sprintf("Rito(%d)", int(r))
}

// Reasons returned by Anno.Motivo. Exported so callers compare constants,
// not string literals.
const (
	MotivoDomenica    = "domenica"
	MotivoSabato      = "sabato" // 5-day week only
	MotivoFestivita   = "festività nazionale"
	MotivoNatale      = "vacanze di Natale"
	MotivoCarnevale   = "carnevale"
	MotivoPasqua      = "vacanze di Pasqua"
	MotivoPatrono     = "santo patrono"
	MotivoChiusura    = "chiusura"
	MotivoFuoriAnno   = "fuori anno scolastico"
	MotivoOverrideATS = "override ATS"
)

const (
	formatoOverride    = "2006-01-02"
	inizioFestaOttobre = 2026 // law 151/2025 is in force from 1 January 2026
)

// Opzioni are the per-plesso settings; the regional rule is the same for all.
type Opzioni struct {
	Rito Rito
	// Patrono is the municipality's patron saint day; only month and day are
	// used. The zero value means none (it only hides 1 January, a holiday).
	Patrono time.Time
	// SeiGiorni is true for a 6-day week (lessons on Saturday), false for 5.
	SeiGiorni bool
	// ChiusureExtra are the institute's own closure days ("ponti"). The
	// regional limit of three is not enforced: the ATS records what happened.
	ChiusureExtra []time.Time
	// Override maps "YYYY-MM-DD" to true (forced school day) or false (forced
	// no school). It wins over every other rule, but only inside the school
	// year (1 Sep - 31 Aug) of the Anno, so one map can serve several years.
	// Malformed keys are ignored by PerAnno; use Valida to detect them.
	Override map[string]bool
}

// Valida reports malformed Override keys, which PerAnno silently ignores.
func (o Opzioni) Valida() error {
	var errs []error
	for k := range o.Override {
		if _, err := time.Parse(formatoOverride, k); err != nil {
			errs = append(errs, fmt.Errorf("calendario: override %q: atteso formato YYYY-MM-DD", k))
		}
	}
	// Sort for a deterministic message despite map iteration order.
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return errors.Join(errs...)
}

// Periodo is an inclusive range of civil dates.
type Periodo struct {
	Dal, Al time.Time
}

// Contiene reports whether d falls within the period, ends included.
func (p Periodo) Contiene(d time.Time) bool {
	d = civile(d)
	return !d.Before(p.Dal) && !d.After(p.Al)
}

// Anno is one school year of one plesso.
type Anno struct {
	// AnnoScolastico is the start year: 2025 means 2025/26.
	AnnoScolastico int
	// Inizio and Fine are the regional first and last lesson days. They do not
	// depend on Opzioni: a 5-day plesso whose Fine is a Saturday simply has
	// its last lesson earlier, see UltimoGiorno.
	Inizio, Fine  time.Time
	VacanzeNatale Periodo
	Carnevale     Periodo
	VacanzePasqua Periodo

	seiGiorni bool
	patrono   int // month*100+day, 0 = none
	pasquetta int // key of Easter Monday, a national holiday
	chiusure  map[int]struct{}
	override  map[int]bool
}

// Pasqua returns Gregorian Easter Sunday of year (anonymous Gregorian
// computus, Meeus/Jones/Butcher), valid for every Gregorian year.
func Pasqua(year int) time.Time {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return data(year, time.Month(month), day)
}

// AnnoDi returns the start year of the school year containing d, taking the
// school year to run from 1 September to 31 August.
func AnnoDi(d time.Time) int {
	y, m, _ := d.Date()
	if m >= time.September {
		return y
	}
	return y - 1
}

// PerAnno computes the calendar of school year startYear/startYear+1.
func PerAnno(startYear int, o Opzioni) Anno {
	next := startYear + 1
	pasqua := Pasqua(next)
	a := Anno{
		AnnoScolastico: startYear,
		seiGiorni:      o.SeiGiorni,
		pasquetta:      chiave(pasqua.AddDate(0, 0, 1)),
		VacanzeNatale:  Periodo{data(startYear, time.December, 23), data(next, time.January, 6)},
		// Thursday before Easter to the Tuesday after Easter Monday.
		VacanzePasqua: Periodo{pasqua.AddDate(0, 0, -3), pasqua.AddDate(0, 0, 2)},
	}
	if !o.Patrono.IsZero() {
		_, m, d := o.Patrono.Date()
		a.patrono = int(m)*100 + d
	}

	// Start: 12 September, moved forward past Saturdays, Sundays and holidays.
	// Patron days and ponti do not move it: the start is regional.
	a.Inizio = data(startYear, time.September, 12)
	for wd := a.Inizio.Weekday(); wd == time.Saturday || wd == time.Sunday || a.festivita(a.Inizio); wd = a.Inizio.Weekday() {
		a.Inizio = a.Inizio.AddDate(0, 0, 1)
	}
	// End: 8 June, moved back past Sundays and holidays. Saturday is a
	// working day here (2023/24 ended Sat 8 Jun 2024, 2024/25 Sat 7 Jun 2025).
	a.Fine = data(next, time.June, 8)
	for a.Fine.Weekday() == time.Sunday || a.festivita(a.Fine) {
		a.Fine = a.Fine.AddDate(0, 0, -1)
	}

	ceneri := pasqua.AddDate(0, 0, -46) // Ash Wednesday
	if o.Rito == Ambrosiano {
		// The Ambrosian Carnival ends on "sabato grasso", because Ambrosian
		// Lent starts on the following Sunday, not on Ash Wednesday. Mirroring
		// the Roman "two days before Lent" gives Friday and Saturday after Ash
		// Wednesday: Fri 7 + Sat 8 Mar 2025, matching Monza's Friday 7 March
		// (a 5-day plesso closes on the Friday only) and the press reports of
		// 16-17 Feb 2024 and 8-9 Mar 2019.
		a.Carnevale = Periodo{ceneri.AddDate(0, 0, 2), ceneri.AddDate(0, 0, 3)}
	} else {
		// Roman rite: Monday and Tuesday before Ash Wednesday.
		a.Carnevale = Periodo{ceneri.AddDate(0, 0, -2), ceneri.AddDate(0, 0, -1)}
	}

	// Copy the caller's slice and map so the Anno stays immutable.
	if len(o.ChiusureExtra) > 0 {
		a.chiusure = make(map[int]struct{}, len(o.ChiusureExtra))
		for _, c := range o.ChiusureExtra {
			a.chiusure[chiave(c)] = struct{}{}
		}
	}
	if len(o.Override) > 0 {
		a.override = make(map[int]bool, len(o.Override))
		for k, v := range o.Override {
			if d, err := time.Parse(formatoOverride, k); err == nil {
				a.override[chiave(d)] = v
			}
		}
	}
	return a
}

// festivita reports the civil national holidays (law 260/1949 as in force)
// other than Sundays. Those inside the Christmas and Easter breaks are listed
// anyway so the start/end rule and Motivo stay correct if a break changes.
func (a Anno) festivita(d time.Time) bool {
	y, m, g := d.Date()
	switch md := int(m)*100 + g; md {
	case 101, 106, 425, 501, 602, 815, 1101, 1208, 1225, 1226:
		return true
	case 1004:
		// San Francesco, national holiday again by law 151 of 8 October 2025
		// (GU n. 236 of 10 October 2025), in force from 1 January 2026.
		return y >= inizioFestaOttobre
	}
	return chiave(d) == a.pasquetta
}

// GiornoScolastico reports whether d is a lesson day for this plesso.
func (a Anno) GiornoScolastico(d time.Time) bool {
	return a.Motivo(d) == ""
}

// Motivo explains why d is not a lesson day, or returns "" if it is one.
// When several reasons apply, the first in this order wins: override ATS,
// outside the school year, Sunday, the breaks (Christmas, Easter, Carnival),
// national holiday, patron saint, closure, Saturday (5-day week). Breaks come
// before holidays because families know the day as part of the break;
// Saturday comes last because it is the plesso's weekly pattern.
func (a Anno) Motivo(d time.Time) string {
	d = civile(d)
	if AnnoDi(d) != a.AnnoScolastico {
		return MotivoFuoriAnno
	}
	k := chiave(d)
	if v, ok := a.override[k]; ok {
		if v {
			return ""
		}
		return MotivoOverrideATS
	}
	switch {
	case d.Before(a.Inizio) || d.After(a.Fine):
		return MotivoFuoriAnno
	case d.Weekday() == time.Sunday:
		return MotivoDomenica
	case a.VacanzeNatale.Contiene(d):
		return MotivoNatale
	case a.VacanzePasqua.Contiene(d):
		return MotivoPasqua
	case a.Carnevale.Contiene(d):
		return MotivoCarnevale
	case a.festivita(d):
		return MotivoFestivita
	case a.patrono != 0 && a.patrono == int(d.Month())*100+d.Day():
		return MotivoPatrono
	}
	if _, ok := a.chiusure[k]; ok {
		return MotivoChiusura
	}
	if !a.seiGiorni && d.Weekday() == time.Saturday {
		return MotivoSabato
	}
	return ""
}

// GiorniScolastici returns every lesson day of the year in ascending order,
// including days forced by an override outside Inizio..Fine.
func (a Anno) GiorniScolastici() []time.Time {
	return a.GiorniTra(data(a.AnnoScolastico, time.September, 1), data(a.AnnoScolastico+1, time.August, 31))
}

// GiorniTra returns the lesson days d with from <= d <= to (civil dates), in
// ascending order; nil if there are none or from is after to.
func (a Anno) GiorniTra(from, to time.Time) []time.Time {
	from, to = civile(from), civile(to)
	// Clamp to the school year: nothing outside it can be a lesson day.
	if s := data(a.AnnoScolastico, time.September, 1); from.Before(s) {
		from = s
	}
	if e := data(a.AnnoScolastico+1, time.August, 31); to.After(e) {
		to = e
	}
	var out []time.Time
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		if a.Motivo(d) == "" {
			out = append(out, d)
		}
	}
	return out
}

// PrimoGiorno returns the plesso's first actual lesson day, which differs
// from Inizio when a patron day, ponte or override falls on it.
func (a Anno) PrimoGiorno() (time.Time, bool) {
	g := a.GiorniScolastici()
	if len(g) == 0 {
		return time.Time{}, false
	}
	return g[0], true
}

// UltimoGiorno returns the plesso's last actual lesson day: for a 5-day week
// it is the Friday before a Saturday Fine (e.g. Fri 7 Jun 2024).
func (a Anno) UltimoGiorno() (time.Time, bool) {
	g := a.GiorniScolastici()
	if len(g) == 0 {
		return time.Time{}, false
	}
	return g[len(g)-1], true
}

// String renders the year the way schools write it, e.g. "2025/26".
func (a Anno) String() string {
	return fmt.Sprintf("%d/%02d", a.AnnoScolastico, (a.AnnoScolastico+1)%100)
}

func data(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// civile drops time of day and zone, keeping the date as seen in t's zone.
func civile(t time.Time) time.Time {
	y, m, d := t.Date()
	return data(y, m, d)
}

// chiave is a compact map key for a civil date (time.Time keys compare
// location pointers, which is fragile).
func chiave(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}

// AnnoMostrato is the school year (its first year) that the surveillance
// views show on day: the one whose lessons have begun. From 1 September to
// the regional first lesson day that is the year just ended, since the
// new one has no absences yet; in July and August too.
func AnnoMostrato(day time.Time) int {
	y := day.Year()
	if day.Month() < time.September {
		y--
	}
	d := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	if d.Before(PerAnno(y, Opzioni{}).Inizio) {
		return y - 1
	}
	return y
}
