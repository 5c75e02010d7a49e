package portalescuole_test

import (
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
)

func TestParseConsistenza(t *testing.T) {
	today := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	ok := ps.ConsistenzaInput{Anno: "2026/27", Iscritti: "230", Classi: "11"}
	for _, tc := range []struct {
		name  string
		edit  func(*ps.ConsistenzaInput)
		field string // "" = valid
		key   string
	}{
		{"valid", func(*ps.ConsistenzaInput) {}, "", ""},
		{"thousands with a dot", func(in *ps.ConsistenzaInput) { in.Iscritti = "1.230"; in.Classi = "50" }, "", ""},
		{"spaces trimmed", func(in *ps.ConsistenzaInput) { in.Iscritti = " 230 " }, "", ""},
		{"empty iscritti", func(in *ps.ConsistenzaInput) { in.Iscritti = "" }, "iscritti", "err.iscritti.required"},
		{"letters", func(in *ps.ConsistenzaInput) { in.Iscritti = "23O" }, "iscritti", "err.numero.intero"},
		{"decimal comma", func(in *ps.ConsistenzaInput) { in.Iscritti = "230,5" }, "iscritti", "err.numero.intero"},
		{"not thousands", func(in *ps.ConsistenzaInput) { in.Iscritti = "23.0" }, "iscritti", "err.numero.intero"},
		{"negative", func(in *ps.ConsistenzaInput) { in.Classi = "-1" }, "classi", "err.numero.negativo"},
		{"too many pupils", func(in *ps.ConsistenzaInput) { in.Iscritti = "5001" }, "iscritti", "err.iscritti.max"},
		{"10^12", func(in *ps.ConsistenzaInput) { in.Iscritti = "1000000000000" }, "iscritti", "err.iscritti.max"},
		{"too many classes", func(in *ps.ConsistenzaInput) { in.Classi = "251"; in.Iscritti = "5000" }, "classi", "err.classi.max"},
		{"zero classes", func(in *ps.ConsistenzaInput) { in.Classi = "0" }, "classi", "err.classi.min"},
		{"pupils below classes", func(in *ps.ConsistenzaInput) { in.Iscritti = "3"; in.Classi = "4" }, "iscritti", "err.iscritti.lt_classi"},
		{"bad year", func(in *ps.ConsistenzaInput) { in.Anno = "2026/28" }, "anno", "err.anno.format"},
		{"far year", func(in *ps.ConsistenzaInput) { in.Anno = "2015/16" }, "anno", "err.anno.range"},
		{"date outside the year", func(in *ps.ConsistenzaInput) { in.ValidoDal = "2026-08-31" }, "valido_dal", "err.valido_dal.fuori_anno"},
		{"bad date", func(in *ps.ConsistenzaInput) { in.ValidoDal = "31-12-2026" }, "valido_dal", "err.data.format"},
		{"Italian date", func(in *ps.ConsistenzaInput) { in.ValidoDal = "15/11/2026" }, "", ""},
		{"small classes ask", func(in *ps.ConsistenzaInput) { in.Iscritti = "90"; in.Classi = "10" }, "conferma", "warn.media_classe"},
		{"large classes ask", func(in *ps.ConsistenzaInput) { in.Iscritti = "310"; in.Classi = "10" }, "conferma", "warn.media_classe"},
		{"confirmed", func(in *ps.ConsistenzaInput) { in.Iscritti = "310"; in.Classi = "10"; in.Conferma = true }, "", ""},
		{"edges need no confirmation", func(in *ps.ConsistenzaInput) { in.Iscritti = "300"; in.Classi = "10" }, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := ok
			tc.edit(&in)
			c, err := ps.ParseConsistenza(in, today)
			fields := ps.FieldErrors(err)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if c.Anno != 2026 || c.Iscritti == 0 || c.Classi == 0 {
					t.Fatalf("parsed %+v", c)
				}
				return
			}
			if ps.ErrorCode(err) != ps.EInvalid || fields[tc.field] != tc.key {
				t.Fatalf("fields %v, want %s=%s", fields, tc.field, tc.key)
			}
		})
	}
}

func TestValidCodice(t *testing.T) {
	for code, want := range map[string]bool{
		"CREE80102B": true, "CR1A00900G": true, "MNIC80000X": true,
		"CREE80102": false, "CREE80102BB": false, "1REE80102B": false, "CREE8010-B": false, "cree80102b": false, "": false,
	} {
		if got := ps.ValidCodice(code); got != want {
			t.Errorf("ValidCodice(%q) = %v", code, got)
		}
	}
	if ps.NormalizeCodice(" cree80102b ") != "CREE80102B" {
		t.Error("NormalizeCodice")
	}
}

func TestGradoFromCodice(t *testing.T) {
	for code, want := range map[string]ps.Grado{
		"CREE80102B": ps.Primaria, "CR1E00200P": ps.Primaria, "CRMM80101A": ps.Secondaria1, "CR1M00100X": ps.Secondaria1,
		"CRPS01000G": ps.Secondaria2, "CRTD01000T": ps.Secondaria2, "CRRI00101X": ps.Secondaria2,
		"CRAA80101X": ps.Infanzia, "CR1A00900G": ps.Infanzia, "CRIC80000X": ps.AltroGrado, "CRCT70000X": ps.AltroGrado,
	} {
		if got := ps.GradoFromCodice(code); got != want {
			t.Errorf("GradoFromCodice(%s) = %q, want %q", code, got, want)
		}
	}
	if !ps.Primaria.InScope() || ps.Infanzia.InScope() || ps.AltroGrado.InScope() {
		t.Error("InScope")
	}
	if g := ps.GradoFromDescrizione("SCUOLA SEC. PRIMO GRADO NON STATALE", "CR1M00100X"); g != ps.Secondaria1 {
		t.Errorf("descrizione: %q", g)
	}
}

func TestAnnoScolastico(t *testing.T) {
	for _, tc := range []struct {
		day  string
		want string
	}{{"2026-08-31", "2025/26"}, {"2026-09-01", "2026/27"}, {"2099-12-31", "2099/00"}} {
		d, _ := time.Parse(ps.DateLayout, tc.day)
		if got := ps.AnnoDi(d).String(); got != tc.want {
			t.Errorf("AnnoDi(%s) = %s, want %s", tc.day, got, tc.want)
		}
	}
	for s, want := range map[string]int{"2025/26": 2025, "2025-26": 2025, "2025/2026": 2025, "2025": 2025, "2025/27": 0, "25/26": 0, "abcd": 0} {
		a, ok := ps.ParseAnno(s)
		if (want != 0) != ok || (ok && int(a) != want) {
			t.Errorf("ParseAnno(%q) = %d, %v", s, a, ok)
		}
	}
}

func TestUser_CanAccessPlesso(t *testing.T) {
	p := &ps.Plesso{Codice: "CREE80001R", Istituto: "CRIC800000"}
	for _, tc := range []struct {
		u    ps.User
		want bool
	}{
		{ps.User{Role: ps.RolePlesso, Plesso: "CREE80001R"}, true},
		{ps.User{Role: ps.RolePlesso, Plesso: "CREE80002T"}, false},
		{ps.User{Role: ps.RolePlesso}, false},
		{ps.User{Role: ps.RoleIstituto, Istituto: "CRIC800000"}, true},
		{ps.User{Role: ps.RoleIstituto, Istituto: "MNIC800000"}, false},
		{ps.User{Role: ps.RoleIstituto}, false},
		{ps.User{Role: ps.RoleATS}, true},
		{ps.User{Role: ps.RoleAdmin}, true},
		{ps.User{Role: "preside"}, false},
	} {
		if got := tc.u.CanAccessPlesso(p); got != tc.want {
			t.Errorf("%+v: %v", tc.u, got)
		}
	}
	// A plesso without istituto is never matched by an istituto account
	// whose istituto is empty.
	if (&ps.User{Role: ps.RoleIstituto}).CanAccessPlesso(&ps.Plesso{Codice: "CR1E00200P"}) {
		t.Error("empty istituto matched")
	}
}

func TestRaggruppa(t *testing.T) {
	c := &ps.Consistenza{}
	rows := []ps.Adempimento{
		{Plesso: ps.Plesso{Provincia: "MN"}, Consistenza: c},
		{Plesso: ps.Plesso{Provincia: "CR"}},
		{Plesso: ps.Plesso{Provincia: "CR"}, Consistenza: c},
		{Plesso: ps.Plesso{Provincia: ""}},
	}
	got := ps.Raggruppa(rows, func(a ps.Adempimento) string { return a.Plesso.Provincia }, func(k string) string { return "P" + k })
	if len(got) != 3 || got[0].Gruppo != "CR" || got[0].Totale != 2 || got[0].Fatti != 1 || got[0].Percentuale() != 50 ||
		got[1].Gruppo != "MN" || got[2].Gruppo != "" || got[2].Nome != "P" {
		t.Fatalf("%+v", got)
	}
	if tot := ps.Totale(rows); tot.Totale != 4 || tot.Fatti != 2 || tot.Mancano != 2 {
		t.Fatalf("%+v", tot)
	}
}

func TestIscrittiImplausibili(t *testing.T) {
	for _, tc := range []struct {
		nuovi, rif int
		want       bool
	}{
		{1200, 356, true}, // a slip from the ministry's 356
		{700, 356, false}, // doubled, within the margin
		{800, 356, true},  // more than double plus 20
		{150, 356, true},  // less than half
		{170, 356, false}, // about half, within the margin
		{30, 12, false},   // small plessi move a lot in relative terms
		{5, 60, true},     // a digit lost
		{1200, 0, false},  // nothing to compare with
	} {
		if got := ps.IscrittiImplausibili(tc.nuovi, tc.rif); got != tc.want {
			t.Errorf("IscrittiImplausibili(%d, %d) = %v, want %v", tc.nuovi, tc.rif, got, tc.want)
		}
	}
}
