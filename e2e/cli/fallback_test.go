package cli

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/lego-persist/lego-persist/e2e/bed"
	"github.com/lego-persist/lego-persist/e2e/e2etest"
)

// withoutPersist makes the CA offer no dns-persist-01: the proxy deletes
// those challenges from every authorization.
func withoutPersist(_ *http.Request, body map[string]any) {
	chs, ok := body["challenges"].([]any)
	if !ok {
		return
	}

	kept := make([]any, 0, len(chs))

	for _, c := range chs {
		if m, ok := c.(map[string]any); ok && m["type"] == "dns-persist-01" {
			continue
		}

		kept = append(kept, c)
	}

	body["challenges"] = kept
}

func TestNameWithoutDNSPersistFallsBackToLegosHTTP01(t *testing.T) {
	b := bed.New(t, bed.Options{ExtraZoneRecords: []string{"fallback IN A 127.0.0.1"}})
	h := newHarness(t, b)
	h.Server = e2etest.Proxy(t, b, withoutPersist).URL
	d := e2etest.Domain(b, "fallback")

	t.Run("without a fallback the error names what the CA offered", func(t *testing.T) {
		res := h.Run(t, "--accept-tos", "--dns-persist", "rfc2136", "-d", d, "run")
		if res.Code != 1 || !strings.Contains(res.Stderr, "http-01") || !strings.Contains(res.Stderr, "dns-01") {
			t.Fatalf("want exit 1 naming the offered challenges:\n%s", res)
		}
	})

	t.Run("with --http lego's own http-01 solver issues", func(t *testing.T) {
		before := e2etest.SOASerial(t, b)

		res := h.Run(t, "--accept-tos", "--dns-persist", "rfc2136",
			"--http", "--http.port", "127.0.0.1:"+strconv.Itoa(b.HTTPPort), "-d", d, "run")
		if res.Code != 0 {
			t.Fatalf("run with --http failed:\n%s", res)
		}

		storedCert(t, h.Path, d)

		if after := e2etest.SOASerial(t, b); after != before {
			t.Errorf("http-01 fallback wrote to DNS (serial %d -> %d)", before, after)
		}
	})
}
