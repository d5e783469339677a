//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package filestore

import (
	"errors"
	"io/fs"
	"os"
)

const supported = false

func tryLock(*os.File) (bool, error)       { return false, errors.ErrUnsupported }
func funlock(*os.File) error               { return errors.ErrUnsupported }
func checkOwner(string, fs.FileInfo) error { return nil }
