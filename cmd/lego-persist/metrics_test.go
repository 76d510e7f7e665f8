package main

import (
	"strings"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist"
	"github.com/prometheus/common/expfmt"
)

func TestMetricsParseAsPrometheusTextFormat(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	until := now.Add(48 * time.Hour)

	findings := []persist.Finding{
		{Domain: "a.example", Status: persist.StatusOK, PersistUntil: &until},
		{Domain: "*.b.example", Status: persist.StatusMissing},
		{Domain: `quote"d.example`, Status: persist.StatusCADependent},
	}
	notAfter := map[string]time.Time{"a.example": now.Add(30 * 24 * time.Hour)}

	var b strings.Builder
	if err := writeMetrics(&b, "https://ca.example/dir", findings, notAfter, now); err != nil {
		t.Fatal(err)
	}

	var parser expfmt.TextParser

	families, err := parser.TextToMetricFamilies(strings.NewReader(b.String()))
	if err != nil {
		t.Fatalf("not the text format: %v\n%s", err, b.String())
	}

	value := func(family string, labels map[string]string) (float64, bool) {
		for _, m := range families[family].GetMetric() {
			match := true

			for _, l := range m.GetLabel() {
				if want, ok := labels[l.GetName()]; ok && want != l.GetValue() {
					match = false
				}
			}

			if match {
				return m.GetGauge().GetValue(), true
			}
		}

		return 0, false
	}

	checks := []struct {
		family string
		labels map[string]string
		want   float64
	}{
		{"lego_persist_record_ok", map[string]string{"domain": "a.example"}, 1},
		{"lego_persist_record_ok", map[string]string{"domain": "*.b.example"}, 0},
		{"lego_persist_record_status", map[string]string{"domain": "*.b.example", "status": "missing"}, 1},
		{"lego_persist_record_status", map[string]string{"domain": "*.b.example", "status": "ok"}, 0},
		{"lego_persist_record_status", map[string]string{"domain": `quote"d.example`, "status": "ca-dependent"}, 1},
		{"lego_persist_record_persist_until_seconds", map[string]string{"domain": "a.example"}, float64(until.Unix())},
		{"lego_persist_certificate_expiry_seconds", map[string]string{"domain": "a.example"}, 30 * 24 * 3600},
		{"lego_persist_check_timestamp_seconds", nil, float64(now.Unix())},
	}

	for _, c := range checks {
		got, ok := value(c.family, c.labels)
		if !ok || got != c.want {
			t.Errorf("%s%v = %v (found %v), want %v", c.family, c.labels, got, ok, c.want)
		}
	}

	if n := len(families["lego_persist_record_persist_until_seconds"].GetMetric()); n != 1 {
		t.Errorf("%d persistUntil series, want 1 (only a.example has one)", n)
	}
}
