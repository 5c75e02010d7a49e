package web_test

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
)

func rowOf(body, day string) string {
	m := regexp.MustCompile(`(?s)<tr id="riga-` + day + `"[^>]*>.*?</tr>`).FindString(body)
	return text(m)
}

// The template uploaded unchanged is refused, not saved as real days.
func TestServer_AssenzeFileTemplate(t *testing.T) {
	e := sentinelEnv(t)
	c := e.loginAs("cree80001r", pwPlesso)
	base := "/plesso/" + ownPlesso + "/assenze/"
	tpl := c.get(base + "modello.csv")
	if tpl.Status != 200 || !strings.HasPrefix(tpl.Body, "data,classe,") {
		t.Fatalf("template: %d %q", tpl.Status, tpl.Body)
	}
	r := upload(c, base+"file", "modello-assenze.csv", []byte(tpl.Body), nil)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(text(r.Body), "non contiene righe di dati") {
		t.Fatalf("template uploaded: %d %s", r.Status, text(r.Body))
	}
	for _, day := range []string{"2026-11-23", "2026-11-24", "2026-11-25"} {
		if e.stored(ownPlesso, day) != nil {
			t.Fatalf("the template stored %s", day)
		}
	}
}

// A file changing days already reported shows the stored values beside
// the new ones and saves only with an explicit confirmation.
func TestServer_AssenzeFileOverwrite(t *testing.T) {
	e := sentinelEnv(t)
	c := e.loginAs("cree80001r", pwPlesso)
	path := "/plesso/" + ownPlesso + "/assenze/file"
	d23, _ := time.Parse(ps.DateLayout, "2026-11-23")
	if _, err := e.db.SaveGiorni(ctx, ps.SystemActor, ownPlesso, []ps.Giorno{{Giorno: d23, Assenti: ps.IntPtr(11)}}, "modulo"); err != nil {
		t.Fatal(err)
	}
	file := "data,classe,iscritti,assenti,chiusura\n2026-11-23,1A,22,2,\n2026-11-24,,,,sciopero\n"
	preview := upload(c, path, "registro.csv", []byte(file), nil)
	if preview.Status != 200 {
		t.Fatalf("preview: %d %s", preview.Status, text(preview.Body))
	}
	row := rowOf(preview.Body, "2026-11-23")
	if !strings.Contains(row, "2 1 11 modificato") {
		t.Fatalf("changed day shown as %q", row)
	}
	if row := rowOf(preview.Body, "2026-11-24"); !strings.Contains(row, "chiuso (sciopero)") || !strings.Contains(row, "nuovo") {
		t.Fatalf("new day shown as %q", row)
	}
	if !strings.Contains(text(preview.Body), "Giorni già segnalati che il file cambia: 1.") || !strings.Contains(preview.Body, `name="sovrascrivi"`) {
		t.Fatalf("no confirmation asked: %s", text(preview.Body))
	}
	confirm := url.Values{"conferma": {"1"}, "nome": {"registro.csv"}, "dati": {hiddenRE("dati", preview.Body)}}
	r := upload(c, path, "", nil, confirm)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(text(r.Body), "spuntare la conferma") {
		t.Fatalf("commit without confirmation: %d %s", r.Status, text(r.Body))
	}
	if g := e.stored(ownPlesso, "2026-11-23"); *g.Assenti != 11 || e.stored(ownPlesso, "2026-11-24") != nil {
		t.Fatalf("saved without confirmation: %+v", g)
	}
	confirm.Set("sovrascrivi", "1")
	if r := upload(c, path, "", nil, confirm); r.Status != http.StatusSeeOther {
		t.Fatalf("confirmed commit: %d %s", r.Status, text(r.Body))
	}
	if g := e.stored(ownPlesso, "2026-11-23"); *g.Assenti != 2 || g.Revisione != 2 {
		t.Fatalf("after confirmation: %+v", g)
	}
	// The same file again changes nothing: no confirmation needed.
	again := upload(c, path, "registro.csv", []byte(file), nil)
	if strings.Contains(again.Body, `name="sovrascrivi"`) || !strings.Contains(rowOf(again.Body, "2026-11-23"), "invariato") {
		t.Fatalf("unchanged file: %s", text(again.Body))
	}
}

// Every error of a file comes at once, in the file's words: lines and
// columns, not internal field paths.
func TestServer_AssenzeFileAllErrors(t *testing.T) {
	e := sentinelEnv(t)
	c := e.loginAs("cree80001r", pwPlesso)
	path := "/plesso/" + ownPlesso + "/assenze/file"
	file := "data,classe,iscritti,assenti,febbre_respiratori,chiusura\n" +
		"2026-11-23,1A,20,x,,\n" + // line 2: not a number
		"2026-11-23,1B,20,-,,\n" + // line 3: not a number
		"2026-11-24,1A,20,25,,\n" + // line 4: more absent than enrolled
		"2026-11-24,1B,20,2,5,\n" + // line 5: reasons above the absent
		"2026-11-25,,,,,ferie\n" + // line 6: closure reason not allowed
		"2026-11-22,,,3,,\n" + // line 7: Sunday
		"2026-11-20,,,500,,\n" // line 8: above the plesso's pupils
	r := upload(c, path, "registro.csv", []byte(file), nil)
	body := text(r.Body)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d: %s", r.Status, body)
	}
	for _, want := range []string{
		"riga 2: «assenti»",
		"riga 3: «assenti»",
		"riga 4 (24/11/2026), classe 1A, colonna «assenti»: gli assenti superano gli iscritti della classe",
		"riga 5 (24/11/2026), classe 1B, colonne dei motivi: la somma dei motivi (5) supera gli assenti (2)",
		"riga 6 (25/11/2026), colonna «chiusura»: motivo di chiusura «ferie» non ammesso",
		"riga 7 (22/11/2026), colonna «data»: non è un giorno di lezione",
		"riga 8 (20/11/2026), colonna «assenti»: gli assenti (500) superano gli iscritti in vigore (230)",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("missing %q", want)
		}
	}
	for _, internal := range []string{"classi[", "motivo_chiusura", "err.", "|"} {
		if strings.Contains(body, internal) {
			t.Errorf("internal name %q shown: %s", internal, body)
		}
	}
	if t.Failed() {
		t.Log(body)
	}
}

// The preview shows the plesso total of a file with classes only.
func TestServer_AssenzeFilePreviewTotal(t *testing.T) {
	e := sentinelEnv(t)
	c := e.loginAs("cree80001r", pwPlesso)
	file := "data,classe,iscritti,assenti\n2026-11-23,1A,20,2\n2026-11-23,1B,21,3\n"
	r := upload(c, "/plesso/"+ownPlesso+"/assenze/file", "registro.csv", []byte(file), nil)
	if row := rowOf(r.Body, "2026-11-23"); !strings.Contains(row, "2026 5 2") {
		t.Fatalf("preview row %q", row)
	}
}

// bombXLSX is a workbook whose sheet expands to about 200 MB of identical
// rows, streamed through the zip writer so that the test stays light.
func bombXLSX(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, body := range map[string]string{
		"[Content_Types].xml":        `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
		"_rels/.rels":                `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml":            `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Foglio1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
	} {
		w, _ := zw.Create(name)
		io.WriteString(w, body)
	}
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	chunk := strings.Repeat(`<row><c t="inlineStr"><is><t>2026-11-23</t></is></c><c><v>1</v></c></row>`, 1000)
	for i := 0; i < 2500; i++ {
		io.WriteString(w, chunk)
	}
	io.WriteString(w, `</sheetData></worksheet>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A zip bomb uploaded by a plesso is refused with a clear message, without
// being expanded.
func TestServer_AssenzeFileZipBomb(t *testing.T) {
	e := sentinelEnv(t)
	c := e.loginAs("cree80001r", pwPlesso)
	bomb := bombXLSX(t)
	if len(bomb) > 2<<20 {
		t.Fatalf("bomb of %d bytes", len(bomb))
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r := upload(c, "/plesso/"+ownPlesso+"/assenze/file", "registro.xlsx", bomb, nil)
	runtime.ReadMemStats(&after)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(text(r.Body), "decompresso, supera 32 MB") {
		t.Fatalf("bomb: %d %s", r.Status, text(r.Body))
	}
	// Loose: the sheet alone is 200 MB expanded.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Fatalf("the refusal allocated %d MB", alloc>>20)
	}
}

// The form reports a field that does not read and another day's rule in
// the same answer.
func TestServer_AssenzeFormAllErrors(t *testing.T) {
	e := sentinelEnv(t)
	c := e.loginAs("cree80001r", pwPlesso)
	form := url.Values{"n": {"2"},
		"g0.giorno": {"2026-11-23"}, "g0.assenti": {"abc"},
		"g1.giorno": {"2026-11-24"}, "g1.assenti": {"500"}}
	r := c.post("/plesso/"+ownPlesso+"/assenze", form)
	body := text(r.Body)
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(body, "scrivere un numero intero") ||
		!strings.Contains(body, "gli assenti (500) superano gli iscritti in vigore (230)") {
		t.Fatalf("%d %s", r.Status, body)
	}
	if e.stored(ownPlesso, "2026-11-24") != nil {
		t.Fatal("a refused form stored data")
	}
}
