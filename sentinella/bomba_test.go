package sentinella

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"strings"
	"testing"
)

// xlsxParts are the parts of a minimal workbook around sheet1.xml.
var xlsxParts = map[string]string{
	"[Content_Types].xml":        `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
	"_rels/.rels":                `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
	"xl/workbook.xml":            `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Foglio1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
	"xl/_rels/workbook.xml.rels": `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
}

const sheetHead = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
	`<row r="1"><c r="A1" t="inlineStr"><is><t>data</t></is></c><c r="B1" t="inlineStr"><is><t>assenti</t></is></c></row>`
const sheetTail = `</sheetData></worksheet>`

// writeSheet streams n data rows of the sheet into w: identical rows
// without a row number, as a zip bomb has them (about 80 bytes each), or,
// numbered, rows of an honest if very long register.
func writeSheet(w io.Writer, n int, numbered bool) {
	io.WriteString(w, sheetHead)
	if numbered {
		for i := 2; i < n+2; i++ {
			fmt.Fprintf(w, `<row r="%d"><c r="A%d" t="inlineStr"><is><t>2026-11-23</t></is></c><c r="B%d"><v>%d</v></c></row>`, i, i, i, i%97)
		}
	} else {
		const row = `<row><c t="inlineStr"><is><t>2026-11-23</t></is></c><c><v>1</v></c></row>`
		chunk := strings.Repeat(row, 1000)
		for ; n >= 1000; n -= 1000 {
			io.WriteString(w, chunk)
		}
		io.WriteString(w, strings.Repeat(row, n))
	}
	io.WriteString(w, sheetTail)
}

// BuildXLSX builds a workbook whose sheet has n rows, streamed through the
// zip writer so that the test stays light whatever the expanded size. With
// lie, the central directory declares a 1 MB sheet whatever it holds.
func BuildXLSX(t testing.TB, n int, lie bool) []byte { return buildXLSX(t, n, lie, false) }

func buildXLSX(t testing.TB, n int, lie, numbered bool) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, body := range xlsxParts {
		w, _ := zw.Create(name)
		io.WriteString(w, body)
	}
	if !lie {
		w, err := zw.Create("xl/worksheets/sheet1.xml")
		if err != nil {
			t.Fatal(err)
		}
		writeSheet(w, n, numbered)
	} else {
		var c bytes.Buffer
		fw, _ := flate.NewWriter(&c, flate.DefaultCompression)
		writeSheet(fw, n, numbered)
		fw.Close()
		w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
			CompressedSize64: uint64(c.Len()), UncompressedSize64: 1 << 20, CRC32: 1})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(c.Bytes())
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A zip bomb and an oversized sheet are refused with a clear message,
// before or while parsing.
func TestParseFile_Bomb(t *testing.T) {
	const bombRows = 2_500_000 // about 200 MB of sheet XML
	for _, tc := range []struct {
		name string
		data func() []byte
		want string
	}{
		{"small workbook reads", func() []byte { return BuildXLSX(t, 1, false) }, ""},
		{"bomb", func() []byte { return BuildXLSX(t, bombRows, false) }, "decompresso, supera 32 MB"},
		{"bomb lying about its size", func() []byte { return BuildXLSX(t, bombRows, true) }, "il file Excel è danneggiato"},
		{"too many rows", func() []byte { return buildXLSX(t, MaxFileRows+5, false, true) }, fmt.Sprintf("supera %d righe", MaxFileRows)},
		{"CSV with too many rows", func() []byte {
			return []byte("data,assenti\n" + strings.Repeat("2026-11-23,1\n", MaxFileRows+5))
		}, fmt.Sprintf("supera %d righe", MaxFileRows)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.data()
			name := "registro.xlsx"
			if !bytes.HasPrefix(data, []byte("PK")) {
				name = "registro.csv"
			}
			if len(data) > 4<<20 {
				t.Fatalf("the test file is %d bytes, above the upload limit", len(data))
			}
			righe, err := ParseFile(name, data)
			if tc.want == "" {
				if err != nil || len(righe) != 1 {
					t.Fatalf("%v %+v", err, righe)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// BenchmarkParseFile_Bomb measures the refusal of a 200 MB bomb (the
// time and memory of the check, not of building the file).
func BenchmarkParseFile_Bomb(b *testing.B) {
	for _, lie := range []bool{false, true} {
		data := BuildXLSX(b, 2_500_000, lie)
		b.Run(fmt.Sprintf("lie=%v", lie), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseFile("x.xlsx", data); err == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}
