// Package readmetest reads README.md for the tests that hold its tables and
// lists, which are contracts, to the code (internal/exitcode,
// internal/contract, internal/e2e). It is for tests only.
package readmetest

import (
	"errors"
	"go/ast"
	"go/constant"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Section returns the text of README.md's "## name" section: what follows
// its heading line, up to the next "## " heading or the end. README.md is
// the one at the root of the module, found from the working directory up
// (a test runs in its package's directory). A README without that section
// fails t.
func Section(t testing.TB, name string) string {
	t.Helper()
	sec, err := section(name)
	if err != nil {
		t.Fatal(err)
	}
	return sec
}

func section(name string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		return "", err
	}
	_, sec, ok := strings.Cut(string(b), "\n## "+name+"\n")
	if !ok {
		return "", errors.New("README.md has no \"" + name + "\" section")
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	return sec, nil
}

// moduleRoot is the nearest directory, from the working directory up, that
// holds go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod in the working directory or above it: run the test from inside the module")
		}
		dir = parent
	}
}

// ConstBlock returns the constants, name -> value, of the one const block of
// the Go file path (a file of the test's package, as the package is
// type-checked alone, so it may use no import) whose doc comment names
// README.md's section: `README.md, "<section>"`. No such block, or two,
// fails t.
func ConstBlock(t testing.TB, path, section string) map[string]constant.Value {
	t.Helper()
	block, err := constBlock(path, section)
	if err != nil {
		t.Fatal(err)
	}
	return block
}

func constBlock(path, section string) (map[string]constant.Value, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	info := &types.Info{Defs: map[*ast.Ident]types.Object{}}
	if _, err := (&types.Config{}).Check(f.Name.Name, fset, []*ast.File{f}, info); err != nil {
		return nil, err
	}
	var block map[string]constant.Value
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST || !strings.Contains(strings.ReplaceAll(g.Doc.Text(), "\n", " "), `README.md, "`+section+`"`) {
			continue
		}
		if block != nil {
			return nil, errors.New(path + ": two const blocks name README's \"" + section + "\"")
		}
		block = map[string]constant.Value{}
		for _, s := range g.Specs {
			for _, id := range s.(*ast.ValueSpec).Names {
				block[id.Name] = info.Defs[id].(*types.Const).Val()
			}
		}
	}
	if block == nil {
		return nil, errors.New(path + ": no const block names README's \"" + section + "\"")
	}
	return block, nil
}
