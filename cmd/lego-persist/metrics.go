package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist"
)

// Output formats of check.
const (
	formatTable      = "table"
	formatJSON       = "json"
	formatPrometheus = "prometheus"
)

// metricStatuses are the statuses every domain gets a
// lego_persist_record_status series for (1 for its own, 0 for the others),
// so that alerts can match on a status that is absent right now.
var metricStatuses = []string{
	persist.StatusOK, persist.StatusMissing, persist.StatusWrongAccount, persist.StatusWrongIssuer,
	persist.StatusNoWildcard, persist.StatusExpired, persist.StatusExpiring, persist.StatusMalformed,
	persist.StatusCADependent, persist.StatusError,
}

// writeMetrics writes findings in the Prometheus text exposition format
// (version 0.0.4) that node_exporter's textfile collector reads: per
// domain the record status, its persistUntil and the expiry of the stored
// certificate holding the name, and the time of the check. notAfter maps a
// name to its certificate's expiry (names without a stored certificate get
// no expiry series).
func writeMetrics(w io.Writer, server string, findings []persist.Finding, notAfter map[string]time.Time, now time.Time) error {
	var b strings.Builder

	family := func(name, typ, help string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}

	ca := `ca="` + escapeLabel(server) + `"`

	family("lego_persist_record_ok", "gauge", "1 when the domain's _validation-persist record authorizes this account at the CA, else 0.")

	for _, f := range findings {
		fmt.Fprintf(&b, "lego_persist_record_ok{%s,domain=\"%s\"} %d\n", ca, escapeLabel(f.Domain), boolGauge(f.OK()))
	}

	family("lego_persist_record_status", "gauge", "1 for the status of the domain's record (ok, missing, wrong-account, ...), 0 for the others.")

	for _, f := range findings {
		for _, st := range metricStatuses {
			fmt.Fprintf(&b, "lego_persist_record_status{%s,domain=\"%s\",status=\"%s\"} %d\n",
				ca, escapeLabel(f.Domain), st, boolGauge(f.Status == st))
		}
	}

	family("lego_persist_record_persist_until_seconds", "gauge", "persistUntil of the domain's record, in Unix seconds (no series: the record has none).")

	for _, f := range findings {
		if f.PersistUntil != nil {
			fmt.Fprintf(&b, "lego_persist_record_persist_until_seconds{%s,domain=\"%s\"} %d\n", ca, escapeLabel(f.Domain), f.PersistUntil.Unix())
		}
	}

	family("lego_persist_certificate_expiry_seconds", "gauge", "Seconds until the stored certificate holding the name expires (negative: expired).")

	names := make([]string, 0, len(notAfter))
	for n := range notAfter {
		names = append(names, n)
	}

	sort.Strings(names)

	for _, n := range names {
		fmt.Fprintf(&b, "lego_persist_certificate_expiry_seconds{%s,domain=\"%s\"} %d\n", ca, escapeLabel(n), int64(notAfter[n].Sub(now).Seconds()))
	}

	family("lego_persist_check_timestamp_seconds", "gauge", "When this check ran, in Unix seconds.")
	fmt.Fprintf(&b, "lego_persist_check_timestamp_seconds{%s} %d\n", ca, now.Unix())

	_, err := io.WriteString(w, b.String())

	return err
}

func boolGauge(ok bool) int {
	if ok {
		return 1
	}

	return 0
}

// escapeLabel escapes a label value: backslash, double quote and line feed.
func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}
