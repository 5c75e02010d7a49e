package portalescuole

import (
	"fmt"
	"strings"
	"time"
)

// Finestra is a reporting window: the school days from weekday Da to A
// (inclusive) are due on weekday Scadenza at Ora, in the next week when
// Scadenza comes before Da.
type Finestra struct {
	Da, A    time.Weekday
	Scadenza time.Weekday
	Ora      time.Duration // since midnight, local time
}

// FinestreDefault: Monday–Wednesday due Thursday 12:00, Thursday–Saturday
// due Monday 12:00.
var FinestreDefault = []Finestra{
	{Da: time.Monday, A: time.Wednesday, Scadenza: time.Thursday, Ora: 12 * time.Hour},
	{Da: time.Thursday, A: time.Saturday, Scadenza: time.Monday, Ora: 12 * time.Hour},
}

var giorniIT = map[string]time.Weekday{"dom": time.Sunday, "lun": time.Monday, "mar": time.Tuesday, "mer": time.Wednesday,
	"gio": time.Thursday, "ven": time.Friday, "sab": time.Saturday}

func nomeGiorno(d time.Weekday) string {
	for k, v := range giorniIT {
		if v == d {
			return k
		}
	}
	return "?"
}

// FormatFinestre writes windows as the settings hold them:
// "lun-mer>gio 12:00, gio-sab>lun 12:00".
func FormatFinestre(fs []Finestra) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = fmt.Sprintf("%s-%s>%s %02d:%02d", nomeGiorno(f.Da), nomeGiorno(f.A), nomeGiorno(f.Scadenza), int(f.Ora.Hours()), int(f.Ora.Minutes())%60)
	}
	return strings.Join(parts, ", ")
}

// ParseFinestre reads FormatFinestre's text. Windows must not overlap and
// must cover Monday to Saturday.
func ParseFinestre(s string) ([]Finestra, error) {
	var out []Finestra
	covered := map[time.Weekday]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		var da, a, sc string
		var h, m int
		if _, err := fmt.Sscanf(strings.NewReplacer("-", " ", ">", " ", ":", " ").Replace(part), "%s %s %s %d %d", &da, &a, &sc, &h, &m); err != nil {
			return nil, fmt.Errorf("finestra %q: scrivere come lun-mer>gio 12:00", part)
		}
		f := Finestra{Ora: time.Duration(h)*time.Hour + time.Duration(m)*time.Minute}
		var ok1, ok2, ok3 bool
		f.Da, ok1 = giorniIT[da]
		f.A, ok2 = giorniIT[a]
		f.Scadenza, ok3 = giorniIT[sc]
		if !ok1 || !ok2 || !ok3 || f.A < f.Da || h > 23 || m > 59 {
			return nil, fmt.Errorf("finestra %q non valida", part)
		}
		for d := f.Da; d <= f.A; d++ {
			if covered[d] {
				return nil, fmt.Errorf("il giorno %s è in due finestre", nomeGiorno(d))
			}
			covered[d] = true
		}
		out = append(out, f)
	}
	for d := time.Monday; d <= time.Saturday; d++ {
		if !covered[d] {
			return nil, fmt.Errorf("il giorno %s non è in nessuna finestra", nomeGiorno(d))
		}
	}
	return out, nil
}

// Periodo is one concrete reporting window: days [Dal, Al] due at Scadenza.
type Periodo struct {
	Dal, Al  time.Time // civil dates
	Scadenza time.Time // instant, in loc
}

// Key names the window for dedupe keys and URLs: its first day.
func (p Periodo) Key() string { return p.Dal.Format(DateLayout) }

// PeriodoDi returns the window containing civil day d (a Sunday belongs to
// none and returns ok=false). loc is the portal's time zone for deadlines.
func PeriodoDi(fs []Finestra, d time.Time, loc *time.Location) (Periodo, bool) {
	for _, f := range fs {
		wd := d.Weekday()
		if wd < f.Da || wd > f.A {
			continue
		}
		dal := d.AddDate(0, 0, -int(wd-f.Da))
		al := dal.AddDate(0, 0, int(f.A-f.Da))
		gap := int(f.Scadenza - f.A)
		if gap <= 0 {
			gap += 7
		}
		due := al.AddDate(0, 0, gap)
		return Periodo{Dal: dal, Al: al, Scadenza: time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, loc).Add(f.Ora)}, true
	}
	return Periodo{}, false
}

// Periodi lists the windows that contain any day in [from, to], in order.
func Periodi(fs []Finestra, from, to time.Time, loc *time.Location) []Periodo {
	var out []Periodo
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		p, ok := PeriodoDi(fs, d, loc)
		if ok && (len(out) == 0 || out[len(out)-1].Dal != p.Dal) {
			out = append(out, p)
		}
	}
	return out
}
