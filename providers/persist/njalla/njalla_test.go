package njalla

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/lego-persist/lego-persist/providers/persist/libdnsadapter/adaptertest"
)

const token = "njalla-token-SECRET-7"

// fakeNjalla serves Njalla's JSON-RPC methods for example.com over store;
// errors come as HTTP 200 with an error member, as the API sends them.
func fakeNjalla(store *adaptertest.Store) http.Handler {
	rpc := func(w http.ResponseWriter, result any, code int, msg string) {
		if code != 0 {
			adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"jsonrpc": "2.0", "error": map[string]any{"code": code, "message": msg}})

			return
		}

		adaptertest.WriteJSON(w, http.StatusOK, map[string]any{"jsonrpc": "2.0", "result": result})
	}

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Method string `json:"method"`
			Params record `json:"params"`
		}

		switch {
		case r.Method != http.MethodPost || r.URL.Path != "/":
			http.NotFound(w, r)
		case r.Header.Get("Authorization") != "Njalla "+token:
			rpc(w, nil, 403, "Permission denied")
		case json.NewDecoder(r.Body).Decode(&req) != nil || req.Params.Domain != "example.com":
			rpc(w, nil, 400, "bad request")
		case req.Method == "list-records":
			list := []record{}
			for _, rec := range store.Find("", "") {
				list = append(list, record{ID: adaptertest.IntID(rec.ID), Name: adaptertest.Relative(rec.Name), Type: rec.Type, Content: rec.Value, TTL: rec.TTL})
			}

			rpc(w, map[string]any{"records": list}, 0, "")
		case req.Method == "add-record" && req.Params.Type == "TXT" && req.Params.TTL == 300 && req.Params.ID == nil:
			rpc(w, map[string]any{"id": store.Add(adaptertest.Absolute(req.Params.Name), "TXT", req.Params.Content, 300)}, 0, "")
		case req.Method == "remove-record" && store.Delete(fmt.Sprint(req.Params.ID)):
			rpc(w, map[string]any{}, 0, "")
		default:
			rpc(w, nil, 400, "unexpected call "+req.Method)
		}
	})
}

func TestAgainstFakeAPI(t *testing.T) {
	adaptertest.Suite{
		Secret:  token,
		Handler: fakeNjalla,
		New: func(_ *testing.T, baseURL, secret string, timeout time.Duration) (adaptertest.Publisher, error) {
			cfg := &Config{Token: secret, BaseURL: baseURL}
			cfg.Zone, cfg.TTL, cfg.HTTPTimeout = "example.com", 300, timeout

			return NewDNSProviderConfig(cfg)
		},
		PublishRequests: []string{"POST /"},
	}.Run(t)
}
