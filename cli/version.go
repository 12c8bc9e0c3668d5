package cli

// The version comes from FyneApp.toml, the one place it is set; a test
// fails when this copy is stale.
//go:generate go run ./internal/genversion ../FyneApp.toml version_gen.go
