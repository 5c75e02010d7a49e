package store_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	ps "github.com/portalescuole/portalescuole"
	"github.com/portalescuole/portalescuole/internal/testenv"
	"github.com/portalescuole/portalescuole/store"
)

// cluster is a throw-away PostgreSQL server of the test's own.
type cluster struct {
	t          *testing.T
	bin, dir   string
	port       int
	asPostgres bool // run the server's programs as the postgres user (the test runs as root)
}

func (c *cluster) run(name string, args ...string) {
	c.t.Helper()
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	if c.asPostgres {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", filepath.Join(c.bin, name)}, args...)...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		c.t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// stop ends the server at once, whatever state the test left it in.
func (c *cluster) stop() {
	name := filepath.Join(c.bin, "pg_ctl")
	args := []string{"-D", c.dir, "-m", "immediate", "stop"}
	cmd := exec.Command(name, args...)
	if c.asPostgres {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	}
	cmd.Run() // already stopped: nothing to do
}

func (c *cluster) start() {
	c.run("pg_ctl", "-D", c.dir, "-l", filepath.Join(c.dir, "log"), "-w", "-t", "120",
		"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1", c.port, c.dir), "start")
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestFailover_StandbySincrono: a primary with a synchronous standby
// (initdb, pg_basebackup), the portal connected to both; the primary is
// stopped with -m immediate under writes and the standby promoted. Every
// write the portal acknowledged is on the new primary, the writes during
// the outage fail as "unavailable" (503 for the web), and writing resumes
// on the promoted standby (issue 21, item 11).
func TestFailover_StandbySincrono(t *testing.T) {
	if os.Getenv("PORTALE_TEST_POSTGRES") == "" && os.Getenv("PORTALE_TEST_STRICT") == "" {
		t.Skip("PostgreSQL tests not enabled (PORTALE_TEST_POSTGRES)")
	}
	initdb := testenv.Program(t, "the failover test needs Debian's PostgreSQL server programs (postgresql package)",
		"/usr/lib/postgresql/15/bin/initdb", "initdb")
	bin := filepath.Dir(initdb)
	root := t.TempDir()
	asPostgres := os.Geteuid() == 0
	if asPostgres {
		// initdb refuses to run as root: the clusters belong to postgres.
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root without a postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		for _, d := range []string{filepath.Dir(root), root} {
			os.Chmod(d, 0o755)
		}
		if err := os.Chown(root, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	primary := &cluster{t: t, bin: bin, dir: filepath.Join(root, "primario"), port: freePort(t), asPostgres: asPostgres}
	standby := &cluster{t: t, bin: bin, dir: filepath.Join(root, "standby"), port: freePort(t), asPostgres: asPostgres}
	primary.run("initdb", "-D", primary.dir, "-U", "postgres", "-A", "trust", "--no-sync")
	conf := "wal_level = replica\nmax_wal_senders = 4\nsynchronous_standby_names = '*'\nsynchronous_commit = on\nfsync = off\n"
	f, err := os.OpenFile(filepath.Join(primary.dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(conf)
	f.Close()
	hba, err := os.OpenFile(filepath.Join(primary.dir, "pg_hba.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	hba.WriteString("host replication postgres 127.0.0.1/32 trust\n")
	hba.Close()
	primary.start()
	t.Cleanup(func() {
		exec.Command("runuser", "-u", "postgres", "--", filepath.Join(bin, "pg_ctl"), "-D", primary.dir, "-m", "immediate", "stop").Run()
	})
	standby.run("pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(primary.port), "-U", "postgres", "-D", standby.dir, "-R", "-X", "stream", "--no-sync")
	// Promoted, the standby is alone: it must not wait for a standby of
	// its own (the operator's setting after a failover).
	sf, err := os.OpenFile(filepath.Join(standby.dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	sf.WriteString("synchronous_standby_names = ''\n")
	sf.Close()
	standby.start()
	t.Cleanup(func() {
		exec.Command("runuser", "-u", "postgres", "--", filepath.Join(bin, "pg_ctl"), "-D", standby.dir, "-m", "immediate", "stop").Run()
	})

	// The portal on both hosts: libpq's rule, the first that takes writes.
	dsn := fmt.Sprintf("postgres://postgres@127.0.0.1:%d,127.0.0.1:%d/postgres?sslmode=disable&target_session_attrs=read-write&connect_timeout=2",
		primary.port, standby.port)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Synchronous: a write is acknowledged once the standby has it.
	deadline := time.Now().Add(60 * time.Second)
	for {
		st, err := db.StatoDatabase(ctx)
		if err == nil && st.Standby == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the standby never streamed: %+v %v", st, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	a := ps.Actor{Username: "prova"}
	write := func(i int) error {
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		return db.Audit(wctx, a, "failover.prova", strconv.Itoa(i), nil)
	}
	acked := map[int]bool{}
	for i := range 200 {
		if err := write(i); err != nil {
			t.Fatalf("write %d before the failover: %v", i, err)
		}
		acked[i] = true
	}
	primary.run("pg_ctl", "-D", primary.dir, "-m", "immediate", "stop")
	unavailable := 0
	for i := 200; i < 210; i++ {
		if err := write(i); err != nil {
			if !store.NonDisponibile(err) {
				t.Fatalf("write %d during the outage: %v, not classed as unavailable", i, err)
			}
			unavailable++
		} else {
			acked[i] = true
		}
	}
	if unavailable == 0 {
		t.Fatal("no write failed with the primary down: the test cannot tell")
	}
	standby.run("pg_ctl", "-D", standby.dir, "-w", "promote")
	resumed := -1
	deadline = time.Now().Add(60 * time.Second)
	for i := 1000; resumed < 0; i++ {
		if err := write(i); err == nil {
			acked[i], resumed = true, i
		} else if time.Now().After(deadline) {
			t.Fatalf("writing never resumed on the promoted standby: %v", err)
		} else {
			time.Sleep(100 * time.Millisecond)
		}
	}
	st, err := db.StatoDatabase(ctx)
	if err != nil || st.Ruolo != "primario" {
		t.Fatalf("after the promotion: %+v %v", st, err)
	}
	found := map[string]bool{}
	for off := 0; ; off += 100 {
		entries, _, err := db.FindAudit(ctx, ps.AuditFilter{Action: "failover.prova", Limit: 100, Offset: off})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			found[e.Entity] = true
		}
		if len(entries) < 100 {
			break
		}
	}
	for i := range acked {
		if !found[strconv.Itoa(i)] {
			t.Errorf("acknowledged write %d lost in the failover", i)
		}
	}
	t.Logf("%d writes acknowledged, %d refused as unavailable during the outage, all found after the promotion", len(acked), unavailable)
}
