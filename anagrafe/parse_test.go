package anagrafe

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	ps "github.com/portalescuole/portalescuole"
)

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../demo/data/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParse_RealFiles(t *testing.T) {
	for _, tc := range []struct {
		file string
		kind Kind
		rows int
	}{
		{"mim-anagrafe-statali-prov-autonome-2023-24.csv", KindStatali, 1182},
		{"mim-anagrafe-paritarie-cr-mn-2023-24.csv", KindParitarie, 106},
		{"mim-studenti-per-plesso-cr-mn-2024-25.csv", KindStudenti, 688},
		{"istat-comuni-cr-mn.csv", KindComuni, 177},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			f, err := Parse(read(t, tc.file), "")
			if err != nil {
				t.Fatal(err)
			}
			if f.Kind != tc.kind {
				t.Fatalf("kind %q, want %q", f.Kind, tc.kind)
			}
			n := len(f.Righe) + len(f.Studenti) + len(f.Comuni)
			if n != tc.rows {
				t.Fatalf("%d rows, want %d", n, tc.rows)
			}
		})
	}
}

func TestParse_Statali(t *testing.T) {
	f, err := Parse(read(t, "mim-anagrafe-statali-prov-autonome-2023-24.csv"), KindStatali)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, r := range f.Righe {
		if r.Plesso.Codice == "TNEE826055" {
			found = true
			if r.Plesso.Istituto != "TNIC82600V" || r.Istituto.Nome != `"TAIO"` || r.Plesso.Grado != ps.Primaria ||
				r.Plesso.CodiceCatastale != "M344" || r.Plesso.Provincia != "TN" || r.Plesso.Paritaria {
				t.Fatalf("unexpected row %+v", r)
			}
		}
	}
	if !found {
		t.Fatal("TNEE826055 not parsed")
	}
}

func TestParse_Rejects(t *testing.T) {
	head := "CODICESCUOLA,NUMEROSTUDENTI\n"
	for _, tc := range []struct {
		name, data string
		line       int
		contains   string
	}{
		{"empty", "", 0, "vuoto"},
		{"header only", head, 0, "non contiene righe"},
		{"unknown header", "a,b\n1,2\n", 1, "non riconosciuta"},
		{"bad code", head + "CREE80102B,10\nXX,5\n", 3, "non valido"},
		{"negative", head + "CREE80102B,-1\n", 2, "non valido"},
		{"letters", head + "CREE80102B,dieci\n", 2, "non valido"},
		{"huge", head + "CREE80102B,1000000000000\n", 2, "non valido"},
		{"duplicate", head + "CREE80102B,10\nCREE80102B,11\n", 3, "ripetuto (già alla riga 2)"},
		{"columns", head + "CREE80102B,10,7\n", 2, "3 colonne invece di 2"},
		{"quote", head + "CREE80102B,10\n\"CRMM80101A,5\n", 3, "virgolette"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse([]byte(tc.data), "")
			if f != nil {
				t.Fatal("a bad file returned records")
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a FileError", err)
			}
			if fe.Errors[0].Line != tc.line || !strings.Contains(fe.Errors[0].Msg, tc.contains) {
				t.Fatalf("got %v; want line %d containing %q", fe.Errors, tc.line, tc.contains)
			}
		})
	}
}

func TestParse_WrongKind(t *testing.T) {
	_, err := Parse(read(t, "istat-comuni-cr-mn.csv"), KindStudenti)
	if err == nil || !strings.Contains(err.Error(), `"comuni", non "studenti"`) {
		t.Fatalf("got %v", err)
	}
}

func TestParse_SemicolonLatin1(t *testing.T) {
	data := []byte("codice_istat;distretto;nome_distretto\n019036;CRE;Distretto di Cremona\n019035;CMA;Crema e Casalasco \xe0\n")
	f, err := Parse(data, KindDistretti)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Distretti) != 2 || f.Distretti[1].Distretto.Nome != "Crema e Casalasco à" {
		t.Fatalf("got %+v", f.Distretti)
	}
}

func TestParse_SuppressedCount(t *testing.T) {
	f, err := Parse([]byte("CODICESCUOLA,NUMEROSTUDENTI\nCREE80102B,<=3\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	if s := f.Studenti[0]; s.Studenti != 3 || !s.Soppresso {
		t.Fatalf("got %+v", s)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("CODICESCUOLA,NUMEROSTUDENTI\nCREE80102B,10\n"))
	f.Add([]byte("codice_istat,nome,sigla_provincia,codice_catastale\n019036,Cremona,CR,D150\n"))
	f.Add([]byte("\"a\nb"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse(data, "")
		if (file == nil) == (err == nil) {
			t.Fatalf("Parse returned file=%v err=%v", file != nil, err)
		}
	})
}

// TestParse_Email: a register's e-mail must be one plain address; "Non
// Disponibile" and empty mean none; every bad line is reported (issue 21:
// addresses with CR/LF were imported and left reminders failing forever).
func TestParse_Email(t *testing.T) {
	recs, err := csv.NewReader(bytes.NewReader(read(t, "mim-anagrafe-statali-prov-autonome-2023-24.csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	at := slices.Index(recs[0], "INDIRIZZOEMAILSCUOLA")
	if at < 0 {
		t.Fatal("no e-mail column in the demo register")
	}
	file := func(emails ...string) []byte {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.Write(recs[0])
		for i, e := range emails {
			r := slices.Clone(recs[i+1])
			r[at] = e
			w.Write(r)
		}
		w.Flush()
		return b.Bytes()
	}
	f, err := Parse(file("Non Disponibile", "Segreteria@Scuola.EDU.it"), KindStatali)
	if err != nil {
		t.Fatal(err)
	}
	if f.Righe[0].Plesso.Email != "" || f.Righe[1].Plesso.Email != "segreteria@scuola.edu.it" {
		t.Fatalf("e-mails %q %q", f.Righe[0].Plesso.Email, f.Righe[1].Plesso.Email)
	}
	_, err = Parse(file("a@b.it\r\nBcc: x@y.it", "nome cognome@scuola", "ok@scuola.it"), KindStatali)
	var fe *FileError
	if !errors.As(err, &fe) || len(fe.Errors) != 2 || !strings.Contains(fe.Errors[0].Msg, "e-mail") || !strings.Contains(fe.Errors[1].Msg, "e-mail") {
		t.Fatalf("want two e-mail line errors, got %v", err)
	}
}
