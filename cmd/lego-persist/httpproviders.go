//go:build !light

package main

import (
	"github.com/go-acme/lego/v4/challenge"
	"github.com/go-acme/lego/v4/providers/http/s3"
)

// s3HTTPProvider is lego's http-01 provider for --http.s3-bucket. It links
// the AWS SDK, so the light build has a twin that refuses it.
func s3HTTPProvider(bucket string) (challenge.Provider, error) {
	return s3.NewHTTPProvider(bucket)
}
