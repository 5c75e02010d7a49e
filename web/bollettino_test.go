package web_test

import (
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/internal/testenv"
	"github.com/portalescuole/portalescuole/mail"
	"github.com/portalescuole/portalescuole/mail/smtptest"
	"github.com/portalescuole/portalescuole/store"
)

func TestServer_Bollettino(t *testing.T) {
	e := newEnv(t, store.SQLite)
	user, pw := demoAccount(ps.RoleATS)
	c := e.loginAs(user, pw)
	page := c.get("/ats/bollettino?settimana=2026-11-16")
	if page.Status != 200 || !strings.Contains(text(page.Body), "settimana dal 16/11/2026 al 21/11/2026") {
		t.Fatalf("HTML bulletin: %d %.300s", page.Status, text(page.Body))
	}
	if strings.Contains(page.Body, " style=") || strings.Contains(page.Body, "<script>") {
		t.Fatal("the bulletin page has inline style or script")
	}
	pdf := c.get("/ats/bollettino.pdf?settimana=2026-11-16")
	if !strings.HasPrefix(pdf.Body, "%PDF-") || pdf.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("not a PDF: %q", pdf.Header.Get("Content-Type"))
	}
	if testenv.Strict() || havePdftotext() {
		testenv.Program(t, "Debian: apt-get install poppler-utils; PDF text not checked", "pdftotext")
		f := filepath.Join(t.TempDir(), "b.pdf")
		os.WriteFile(f, []byte(pdf.Body), 0o644)
		out, err := exec.Command("pdftotext", f, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Bollettino settimanale", "ATS VAL PADANA", "Pagina 1 di", "nessun dato personale degli alunni"} {
			if !strings.Contains(string(out), want) {
				t.Fatalf("the PDF text lacks %q", want)
			}
		}
	} else {
		t.Log("pdftotext not installed (Debian poppler-utils): PDF text not checked")
	}

	// E-mailed to the ATS list with the PDF attached, once per week.
	smtp := smtptest.NewServer(t)
	worker := mail.NewWorker(e.db, mail.NewSMTP(mail.Config{Host: "127.0.0.1", Port: smtp.Port, TLS: "none", From: "portale@ats.example"}),
		slog.New(slog.DiscardHandler), time.Hour)
	e.db.Now = func() time.Time { return time.Now().Add(time.Minute) }
	worker.Drain(ctx) // the demo's alert e-mails
	before := len(smtp.Messages())
	for i := 0; i < 2; i++ {
		c.post("/ats/bollettino/invia", url.Values{"settimana": {"2026-11-16"}})
	}
	worker.Drain(ctx)
	got := smtp.Messages()[before:]
	if len(got) != 1 {
		t.Fatalf("%d bulletins sent for one week", len(got))
	}
	if !strings.Contains(got[0].Data, `filename="bollettino-2026-11-16.pdf"`) || !strings.Contains(got[0].Data, "application/pdf") {
		t.Fatalf("no PDF attachment: %.600s", got[0].Data)
	}
}

func havePdftotext() bool {
	_, err := exec.LookPath("pdftotext")
	return err == nil
}
