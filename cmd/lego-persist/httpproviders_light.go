//go:build light

package main

import (
	"errors"

	"github.com/go-acme/lego/v4/challenge"
)

// s3HTTPProvider: the light build has no AWS SDK for --http.s3-bucket.
func s3HTTPProvider(string) (challenge.Provider, error) {
	return nil, errors.New("http-01 to an s3 bucket is not in the light build; use the full lego-persist build, " +
		"or --http.webroot / --http.memcached-host")
}
