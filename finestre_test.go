package portalescuole_test

import (
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
)

func TestParseFinestre(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []ps.Finestra // nil: refused
	}{
		{"lun-mer>gio 12:00, gio-sab>lun 12:00", ps.FinestreDefault},
		{" lun-mer>gio 12:00 ,gio-sab>lun 12:00 ", ps.FinestreDefault},
		{"lun-sab>lun 9:30", []ps.Finestra{{Da: time.Monday, A: time.Saturday, Scadenza: time.Monday, Ora: 9*time.Hour + 30*time.Minute}}},
		{"lun-lun>mar 23:59, mar-sab>lun 00:00", []ps.Finestra{
			{Da: time.Monday, A: time.Monday, Scadenza: time.Tuesday, Ora: 23*time.Hour + 59*time.Minute},
			{Da: time.Tuesday, A: time.Saturday, Scadenza: time.Monday}}},
		{"", nil},
		{"lun-mer>gio 12:00", nil}, // Thursday to Saturday uncovered
		{"lun-mer>gio 12:00, mer-sab>lun 12:00", nil}, // Wednesday twice
		{"mer-lun>gio 12:00, mar-sab>lun 12:00", nil}, // backwards
		{"lun-mer>gio 24:00, gio-sab>lun 12:00", nil}, // hour
		{"lun-mer>gio 12:60, gio-sab>lun 12:00", nil}, // minute
		{"lun-mer>xyz 12:00, gio-sab>lun 12:00", nil}, // day name
		{"monday-wednesday>thursday 12:00", nil},      // English
		{"lun-mer>gio, gio-sab>lun 12:00", nil},       // no time
		{"lun-mer>gio 12:00; gio-sab>lun 12:00", nil}, // separator
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ps.ParseFinestre(tc.in)
			if tc.want == nil {
				if err == nil {
					t.Fatalf("accepted: %+v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("window %d: %+v, want %+v", i, got[i], tc.want[i])
				}
			}
			// What the settings page writes back reads the same.
			again, err := ps.ParseFinestre(ps.FormatFinestre(got))
			if err != nil || len(again) != len(got) {
				t.Fatalf("FormatFinestre round trip: %v %v", again, err)
			}
		})
	}
}

func TestPeriodoDi(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	d := func(s string) time.Time {
		v, err := time.Parse(ps.DateLayout, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, rome)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	sixDays := []ps.Finestra{{Da: time.Monday, A: time.Saturday, Scadenza: time.Monday, Ora: 9 * time.Hour}}
	for _, tc := range []struct {
		name     string
		fs       []ps.Finestra
		day      string
		ok       bool
		dal, al  string
		scadenza time.Time
	}{
		{"Monday", ps.FinestreDefault, "2026-11-23", true, "2026-11-23", "2026-11-25", at("2026-11-26 12:00")},
		{"Wednesday", ps.FinestreDefault, "2026-11-25", true, "2026-11-23", "2026-11-25", at("2026-11-26 12:00")},
		{"Thursday: due next Monday", ps.FinestreDefault, "2026-11-26", true, "2026-11-26", "2026-11-28", at("2026-11-30 12:00")},
		{"Saturday", ps.FinestreDefault, "2026-11-28", true, "2026-11-26", "2026-11-28", at("2026-11-30 12:00")},
		{"Sunday belongs to none", ps.FinestreDefault, "2026-11-29", false, "", "", time.Time{}},
		{"across the year", ps.FinestreDefault, "2026-12-31", true, "2026-12-31", "2027-01-02", at("2027-01-04 12:00")},
		// Summer time ends on 25 October 2026: the deadline is 12:00 in Rome, 11:00 UTC.
		{"deadline after the clock change", ps.FinestreDefault, "2026-10-24", true, "2026-10-22", "2026-10-24", at("2026-10-26 12:00")},
		{"deadline in summer time", ps.FinestreDefault, "2026-10-19", true, "2026-10-19", "2026-10-21", at("2026-10-22 12:00")},
		{"one window, due the Monday after", sixDays, "2026-11-23", true, "2026-11-23", "2026-11-28", at("2026-11-30 09:00")},
		{"scadenza the same weekday as A is a week later", []ps.Finestra{{Da: time.Monday, A: time.Saturday, Scadenza: time.Saturday, Ora: 18 * time.Hour}},
			"2026-11-25", true, "2026-11-23", "2026-11-28", at("2026-12-05 18:00")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, ok := ps.PeriodoDi(tc.fs, d(tc.day), rome)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v (%+v)", ok, tc.ok, p)
			}
			if !ok {
				return
			}
			if got := p.Dal.Format(ps.DateLayout) + ".." + p.Al.Format(ps.DateLayout); got != tc.dal+".."+tc.al {
				t.Errorf("days %s, want %s..%s", got, tc.dal, tc.al)
			}
			if !p.Scadenza.Equal(tc.scadenza) {
				t.Errorf("deadline %s, want %s", p.Scadenza.UTC(), tc.scadenza.UTC())
			}
			if p.Key() != tc.dal {
				t.Errorf("key %q, want %q", p.Key(), tc.dal)
			}
		})
	}
	if got := at("2026-10-26 12:00").UTC().Hour(); got != 11 {
		t.Fatalf("the clock-change case tests nothing: 12:00 Rome is %d:00 UTC", got)
	}
}
