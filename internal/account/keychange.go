package account

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/go-acme/lego/v4/acme"
	"github.com/go-jose/go-jose/v4"
)

// keyChangeAttempts bounds the retries after a badNonce answer.
const keyChangeAttempts = 3

// keyChangePayload is the inner JWS payload of RFC 8555 §7.3.5.
type keyChangePayload struct {
	Account string          `json:"account"`
	OldKey  jose.JSONWebKey `json:"oldKey"`
}

// fixedNonce hands go-jose one nonce, obtained beforehand.
type fixedNonce string

func (n fixedNonce) Nonce() (string, error) { return string(n), nil }

// algorithm is the JWS algorithm lego signs with for key (RFC 8555 §6.2:
// ES256/ES384 for P-256/P-384 keys, RS256 for RSA keys).
func algorithm(key crypto.Signer) (jose.SignatureAlgorithm, error) {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return jose.RS256, nil
	case *ecdsa.PrivateKey:
		switch k.Curve {
		case elliptic.P256():
			return jose.ES256, nil
		case elliptic.P384():
			return jose.ES384, nil
		}
	}

	return "", fmt.Errorf("account key of type %T is not supported (use an EC P-256/P-384 or RSA key)", key)
}

// SignKeyChange builds the body of an RFC 8555 §7.3.5 key change request:
//
//   - inner JWS, signed with newKey: protected header {alg, jwk: the new
//     public key, url: keyChangeURL} (no nonce, no kid), payload
//     {"account": accountURL, "oldKey": the old public JWK};
//   - outer JWS, signed with oldKey: protected header {alg, kid: accountURL,
//     nonce, url: keyChangeURL}, payload the inner JWS in flattened JSON
//     serialization.
//
// Both are flattened JSON serializations, as every ACME request body.
func SignKeyChange(keyChangeURL, accountURL, nonce string, oldKey, newKey crypto.Signer) ([]byte, error) {
	if keyChangeURL == "" {
		return nil, errors.New("the CA's directory has no keyChange URL: it does not support key rollover")
	}

	if accountURL == "" {
		return nil, errors.New("key change: no account URL")
	}

	oldAlg, err := algorithm(oldKey)
	if err != nil {
		return nil, err
	}

	newAlg, err := algorithm(newKey)
	if err != nil {
		return nil, err
	}

	payload, err := json.Marshal(keyChangePayload{Account: accountURL, OldKey: jose.JSONWebKey{Key: oldKey.Public()}})
	if err != nil {
		return nil, fmt.Errorf("key change payload: %w", err)
	}

	innerSigner, err := jose.NewSigner(jose.SigningKey{Algorithm: newAlg, Key: newKey}, &jose.SignerOptions{
		EmbedJWK:     true,
		ExtraHeaders: map[jose.HeaderKey]any{"url": keyChangeURL},
	})
	if err != nil {
		return nil, fmt.Errorf("key change: inner signer: %w", err)
	}

	inner, err := innerSigner.Sign(payload)
	if err != nil {
		return nil, fmt.Errorf("key change: sign with the new key: %w", err)
	}

	outerSigner, err := jose.NewSigner(
		jose.SigningKey{Algorithm: oldAlg, Key: jose.JSONWebKey{Key: oldKey, KeyID: accountURL}},
		&jose.SignerOptions{
			NonceSource:  fixedNonce(nonce),
			ExtraHeaders: map[jose.HeaderKey]any{"url": keyChangeURL},
		})
	if err != nil {
		return nil, fmt.Errorf("key change: outer signer: %w", err)
	}

	outer, err := outerSigner.Sign([]byte(inner.FullSerialize()))
	if err != nil {
		return nil, fmt.Errorf("key change: sign with the old key: %w", err)
	}

	return []byte(outer.FullSerialize()), nil
}

// ErrKeyInUse is returned by ChangeKey when the CA refuses the new key
// because another account already uses it (HTTP 409).
var ErrKeyInUse = errors.New("the new key already belongs to another account")

// changeKey posts the key change to the CA: RFC 8555 §7.3.5. It returns nil
// once the CA answered 200: from then on only newKey signs for the account.
// A badNonce answer is retried with the nonce the CA sent along.
func (c *Client) changeKey(ctx context.Context, dir acme.Directory, accountURL string, oldKey, newKey crypto.Signer) error {
	nonce, err := c.newNonce(ctx, dir.NewNonceURL)
	if err != nil {
		return err
	}

	for attempt := 1; ; attempt++ {
		body, err := SignKeyChange(dir.KeyChangeURL, accountURL, nonce, oldKey, newKey)
		if err != nil {
			return err
		}

		status, next, location, prob, err := c.post(ctx, dir.KeyChangeURL, body)
		if err != nil {
			return err
		}

		switch {
		case status == http.StatusOK:
			return nil
		case status == http.StatusConflict:
			return fmt.Errorf("key change at %s: %w (%s)", dir.KeyChangeURL, ErrKeyInUse, location)
		case prob != nil && prob.Type == acme.BadNonceErr && next != "" && attempt < keyChangeAttempts:
			nonce = next
			continue
		case prob != nil:
			return fmt.Errorf("key change at %s: %w", dir.KeyChangeURL, prob)
		default:
			return fmt.Errorf("key change at %s: HTTP %d", dir.KeyChangeURL, status)
		}
	}
}

// newNonce asks the CA for a fresh anti-replay nonce (RFC 8555 §7.2).
func (c *Client) newNonce(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, url, nil)
	if err != nil {
		return "", fmt.Errorf("new nonce: %w", err)
	}

	req.Header.Set("User-Agent", c.userAgent)

	resp, err := c.httpClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("new nonce at %s: %w", url, err)
	}

	_ = resp.Body.Close()

	nonce := resp.Header.Get("Replay-Nonce")
	if nonce == "" {
		return "", fmt.Errorf("new nonce at %s: HTTP %d without Replay-Nonce", url, resp.StatusCode)
	}

	return nonce, nil
}

// post sends one signed ACME request and returns the status, the next
// nonce, the Location header and, for an error answer, the problem document.
func (c *Client) post(ctx context.Context, url string, body []byte) (int, string, string, *acme.ProblemDetails, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, "", "", nil, fmt.Errorf("POST %s: %w", url, err)
	}

	req.Header.Set("Content-Type", "application/jose+json")
	req.Header.Set("User-Agent", c.userAgent)

	resp, err := c.httpClient.Do(req)
	if err != nil {
		return 0, "", "", nil, fmt.Errorf("POST %s: %w", url, err)
	}
	defer resp.Body.Close()

	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, "", "", nil, fmt.Errorf("POST %s: %w", url, err)
	}

	var prob *acme.ProblemDetails

	if resp.StatusCode >= http.StatusBadRequest && resp.StatusCode != http.StatusConflict {
		p := &acme.ProblemDetails{}
		if json.Unmarshal(raw, p) != nil || p.Type == "" {
			p = &acme.ProblemDetails{Detail: string(bytes.TrimSpace(raw))}
		}

		p.HTTPStatus, p.Method, p.URL = resp.StatusCode, http.MethodPost, url
		prob = p
	}

	return resp.StatusCode, resp.Header.Get("Replay-Nonce"), resp.Header.Get("Location"), prob, nil
}
