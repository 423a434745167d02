// minio-admin: the few MinIO admin calls the e2e tests need to change who may use a test cluster's
// MinIO — add a user, attach a policy, disable or enable it — so a test can revoke a location's
// credentials while a backup runs. It uses madmin-go at the version the pinned MinIO server itself
// requires (hack/tools/minio/go.mod), so building it downloads nothing the MinIO build did not.
//
// The endpoint and root credentials come from the environment, never from arguments (which other
// processes can read):
//
//	MINIO_ENDPOINT=http://127.0.0.1:9000 MINIO_ROOT_USER=… MINIO_ROOT_PASSWORD=… minio-admin user-add ACCESS SECRET
//	minio-admin policy-attach readwrite ACCESS
//	minio-admin user-disable ACCESS
//	minio-admin user-enable ACCESS
package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/minio/madmin-go/v3"
)

const usage = "usage: minio-admin user-add ACCESS SECRET | policy-attach POLICY ACCESS | user-disable ACCESS | user-enable ACCESS\n" +
	"(MINIO_ENDPOINT, MINIO_ROOT_USER and MINIO_ROOT_PASSWORD from the environment)"

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return errors.New(usage)
	}
	client, err := adminClient()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	switch command := args[0]; {
	case command == "user-add" && len(args) == 3:
		return client.AddUser(ctx, args[1], args[2])
	case command == "policy-attach" && len(args) == 3:
		_, err := client.AttachPolicy(ctx, madmin.PolicyAssociationReq{Policies: []string{args[1]}, User: args[2]})
		return err
	case command == "user-disable" && len(args) == 2:
		return client.SetUserStatus(ctx, args[1], madmin.AccountDisabled)
	case command == "user-enable" && len(args) == 2:
		return client.SetUserStatus(ctx, args[1], madmin.AccountEnabled)
	}
	return errors.New(usage)
}

func adminClient() (*madmin.AdminClient, error) {
	endpoint, user, password := os.Getenv("MINIO_ENDPOINT"), os.Getenv("MINIO_ROOT_USER"), os.Getenv("MINIO_ROOT_PASSWORD")
	if endpoint == "" || user == "" || password == "" {
		return nil, errors.New("set MINIO_ENDPOINT, MINIO_ROOT_USER and MINIO_ROOT_PASSWORD")
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("MINIO_ENDPOINT %q is not a URL such as http://127.0.0.1:9000", endpoint)
	}
	return madmin.New(u.Host, user, password, u.Scheme == "https")
}
