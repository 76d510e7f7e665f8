package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// Client calls one JSON API: every request goes to BaseURL + path with
// Header (the API's authentication) and, for any status but 2xx, fails
// with ErrorOf's error (a *StatusError naming the status when nil).
type Client struct {
	HTTP    *http.Client
	BaseURL string // without a trailing slash
	Header  http.Header

	// ErrorOf reads an error response; nil: a *StatusError with the
	// status and the first 200 bytes of the body as its message.
	ErrorOf func(status int, body []byte) error
}

// Call sends in (JSON-encoded, unless nil) with method to path and decodes
// a 2xx response's body into out (unless out is nil or the body empty).
func (c *Client) Call(ctx context.Context, method, path string, in, out any) error {
	req := Request{Method: method, URL: c.BaseURL + path, Header: c.Header.Clone()}

	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}

		req.Body = b
	}

	errorOf := c.ErrorOf
	if errorOf == nil {
		errorOf = BodyError
	}

	body, err := DoJSON(ctx, c.HTTP, req, errorOf)
	if err != nil {
		return err
	}

	if out == nil || len(bytes.TrimSpace(body)) == 0 {
		return nil
	}

	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("reading the response of %s %s: %w", method, path, err)
	}

	return nil
}

// BodyError is a *StatusError with status and the first 200 bytes of body
// as its message (NoErrorDetails when body is empty).
func BodyError(status int, body []byte) error {
	msg := string(bytes.TrimSpace(body))
	if len(msg) > 200 {
		msg = msg[:200]
	}

	if msg == "" {
		msg = NoErrorDetails
	}

	return &StatusError{Status: status, Message: msg}
}

// JSONError is a *StatusError with status and, as its message, the string
// at the first of keys that the JSON object body has (else BodyError's
// message).
func JSONError(status int, body []byte, keys ...string) error {
	var obj map[string]any
	if json.Unmarshal(body, &obj) == nil {
		for _, k := range keys {
			if s, ok := obj[k].(string); ok && s != "" {
				return &StatusError{Status: status, Message: s}
			}
		}
	}

	return BodyError(status, body)
}
