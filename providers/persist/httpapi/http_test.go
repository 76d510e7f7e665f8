package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// seen is what the test server received.
type seen struct {
	method, auth, accept, contentType, ifMatch, body string
}

func echoServer(t *testing.T, status int, respBody string) (*httptest.Server, *seen) {
	t.Helper()

	got := &seen{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		*got = seen{r.Method, r.Header.Get("Authorization"), r.Header.Get("Accept"), r.Header.Get("Content-Type"), r.Header.Get("If-Match"), string(b)}
		w.Header().Set("ETag", "e1")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, respBody)
	}))
	t.Cleanup(srv.Close)

	return srv, got
}

func TestDoSendsTokenHeadersAndBodyAndReadsAnyStatus(t *testing.T) {
	tests := []struct {
		name string
		req  Request
		want seen
	}{
		{
			name: "JSON body with token",
			req:  Request{Method: http.MethodPost, Token: "tok", Body: []byte(`{"a":1}`)},
			want: seen{method: http.MethodPost, auth: "Bearer tok", accept: "application/json", contentType: "application/json", body: `{"a":1}`},
		},
		{
			name: "no body, no token, extra header",
			req:  Request{Method: http.MethodDelete, Header: http.Header{"If-Match": {"e0"}}},
			want: seen{method: http.MethodDelete, accept: "application/json", ifMatch: "e0"},
		},
		{
			name: "content type of the caller is kept",
			req:  Request{Method: http.MethodPost, Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, Body: []byte("a=b")},
			want: seen{method: http.MethodPost, accept: "application/json", contentType: "application/x-www-form-urlencoded", body: "a=b"},
		},
		{
			name: "the caller cannot replace the token",
			req:  Request{Method: http.MethodGet, Token: "tok", Header: http.Header{"Authorization": {"Basic x"}}},
			want: seen{method: http.MethodGet, auth: "Bearer tok", accept: "application/json"},
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, got := echoServer(t, http.StatusTeapot, "teapot")
			tt.req.URL = srv.URL

			resp, err := Do(context.Background(), srv.Client(), tt.req)
			if err != nil {
				t.Fatalf("Do: %v", err)
			}

			if *got != tt.want {
				t.Errorf("server saw %+v, want %+v", *got, tt.want)
			}

			if resp.StatusCode != http.StatusTeapot || string(resp.Body) != "teapot" || resp.Header.Get("ETag") != "e1" {
				t.Errorf("Do = %d %q (ETag %q), want 418 \"teapot\" (ETag e1)", resp.StatusCode, resp.Body, resp.Header.Get("ETag"))
			}
		})
	}
}

func TestDoReadsAtMostMaxBody(t *testing.T) {
	srv, _ := echoServer(t, http.StatusOK, strings.Repeat("x", MaxBody+10))

	resp, err := Do(context.Background(), srv.Client(), Request{Method: http.MethodGet, URL: srv.URL})
	if err != nil || len(resp.Body) != MaxBody {
		t.Fatalf("Do read %d bytes, %v; want %d", len(resp.Body), err, MaxBody)
	}
}

func TestDoStopsWithTheContext(t *testing.T) {
	srv, got := echoServer(t, http.StatusOK, "")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	if _, err := Do(ctx, srv.Client(), Request{Method: http.MethodGet, URL: srv.URL}); !errors.Is(err, context.Canceled) {
		t.Errorf("Do with a cancelled context = %v, want context.Canceled", err)
	}

	if got.method != "" {
		t.Errorf("the server got a %s request", got.method)
	}
}

func TestDoJSONReturnsTheBodyOf2xxAndTheCallersErrorOtherwise(t *testing.T) {
	errorOf := func(status int, body []byte) error {
		return &StatusError{Status: status, Message: string(body)}
	}

	tests := []struct {
		status   int
		wantBody string
		wantErr  int // StatusCode of the error; 0 for none
	}{
		{status: http.StatusOK, wantBody: "body"},
		{status: http.StatusNoContent},
		{status: http.StatusMultipleChoices, wantErr: http.StatusMultipleChoices},
		{status: http.StatusNotFound, wantErr: http.StatusNotFound},
		{status: http.StatusBadGateway, wantErr: http.StatusBadGateway},
	}

	for _, tt := range tests {
		t.Run(http.StatusText(tt.status), func(t *testing.T) {
			respBody := "body"
			if tt.status == http.StatusNoContent {
				respBody = ""
			}

			srv, _ := echoServer(t, tt.status, respBody)

			body, err := DoJSON(context.Background(), srv.Client(), Request{Method: http.MethodGet, URL: srv.URL}, errorOf)
			var se *StatusError

			got := 0
			if errors.As(err, &se) {
				got = se.StatusCode()
			}

			if got != tt.wantErr || (err == nil) != (tt.wantErr == 0) {
				t.Fatalf("DoJSON error = %v (status %d), want status %d", err, got, tt.wantErr)
			}

			if tt.wantErr != 0 && err.Error() != "body" {
				t.Errorf("DoJSON error text = %q, want the body errorOf read", err.Error())
			}

			if tt.wantErr == 0 && string(body) != tt.wantBody {
				t.Errorf("DoJSON body = %q, want %q", body, tt.wantBody)
			}
		})
	}
}

func TestStatusErrorTextNamesCodeAndMessageOrFallsBack(t *testing.T) {
	tests := []struct {
		err  StatusError
		want string
	}{
		{err: StatusError{Status: 403, Code: "forbidden", Message: "no access"}, want: "forbidden: no access"},
		{err: StatusError{Status: 403, Code: "forbidden"}, want: "forbidden"},
		{err: StatusError{Status: 403, Message: "no access"}, want: "no access"},
		{err: StatusError{Status: 502}, want: "HTTP 502 Bad Gateway"},
		{err: StatusError{}, want: NoErrorDetails},
	}

	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%+v.Error() = %q, want %q", tt.err, got, tt.want)
		}

		if got := tt.err.StatusCode(); got != tt.err.Status {
			t.Errorf("status read from %+v = %d, want %d", tt.err, got, tt.err.Status)
		}
	}
}

func TestAPIBaseURL(t *testing.T) {
	tests := []struct {
		value, want string
		ok          bool
	}{
		{"", "https://api.example", true},
		{"http://127.0.0.1:8080/v2/", "http://127.0.0.1:8080/v2", true},
		{"ftp://api.example", "", false},
		{"https://user:secret@api.example", "", false},
		{"https://api.example?x=1", "", false},
		{"https://api.example#f", "", false},
		{"/relative", "", false},
	}

	for _, tt := range tests {
		got, err := APIBaseURL("p", "P_API_URL", tt.value, "https://api.example")
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("APIBaseURL(%q) = %q, %v; want %q, ok=%v", tt.value, got, err, tt.want, tt.ok)
		}

		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("error quotes the URL: %v", err)
		}
	}
}

func TestNewHTTPClientRefusesABaseURLWithoutQuotingItsPassword(t *testing.T) {
	const pw = "base-url-SECRET-5"

	_, err := NewHTTPClient(time.Second, "https://api.example", "ftp://user:"+pw+"@host/")
	if err == nil || strings.Contains(err.Error(), pw) {
		t.Fatalf("err = %v, want an error without the password", err)
	}
}
