// Command settings is the floor of `tokentray status` and `tokentray
// token`: it reads and parses a profile's settings file and prints one
// line per credential; with -token NAME it instead prints NAME's access
// token, read from the keychain with one go-keyring call.
//
//	settings [-service S] [-token NAME] DIR
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/zalando/go-keyring"
)

type credential struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Health struct {
		State string `json:"state"`
	} `json:"health"`
}

func main() {
	service := flag.String("service", "tokentray-sandbox", "the keychain service name")
	token := flag.String("token", "", "print this credential's access token")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: settings [-service S] [-token NAME] DIR")
		os.Exit(2)
	}
	b, err := os.ReadFile(filepath.Join(flag.Arg(0), "settings.json"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var f struct {
		Credentials []credential `json:"credentials"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, c := range f.Credentials {
		if *token == "" {
			fmt.Printf("%s\t%s\t%s\n", c.Name, c.Kind, c.Health.State)
			continue
		}
		if c.Name == *token {
			v, err := keyring.Get(*service, c.ID+"/access_token")
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			fmt.Println(v)
			return
		}
	}
	if *token != "" {
		fmt.Fprintln(os.Stderr, "no credential named", *token)
		os.Exit(1)
	}
}
