package auth

import (
	"io"
	"io/fs"
	"os"

	"tokentray/internal/msg"
)

// NotRegularError is a file tokentray reads (the settings, the
// sandbox's state, a shared token file read back) that is something else:
// a named pipe, a device, a socket, a folder. Opening a named pipe to
// read waits for a writer, for ever, so such a file is refused at once.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string { return e.Message().String() }

// Message is the error as data.
func (e *NotRegularError) Message() msg.Message {
	return msg.New("auth.not_regular", "Path", e.Path, "Kind", fileKind(e.Mode))
}

func fileKind(m fs.FileMode) msg.Message {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return msg.New("auth.file_pipe")
	case m&fs.ModeSocket != 0:
		return msg.New("auth.file_socket")
	case m&fs.ModeDevice != 0:
		return msg.New("auth.file_device")
	case m.IsDir():
		return msg.New("auth.file_folder")
	}
	return msg.New("auth.file_special")
}

// OpenRegular opens path to read, without waiting: anything but a regular
// file (after symbolic links) is a *NotRegularError at once, never an
// open() that blocks.
func OpenRegular(path string) (*os.File, error) {
	return OpenRegularFile(path, os.O_RDONLY, 0)
}

// OpenRegularFile is os.OpenFile that refuses, at once, anything but a
// regular file, as OpenRegular does: for a file tokentray writes in
// place (an in-flight mark), where a named pipe would wait for a reader.
func OpenRegularFile(path string, flag int, perm os.FileMode) (*os.File, error) {
	fh, err := openNoWait(path, flag, perm)
	if err != nil {
		return nil, err
	}
	fi, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		fh.Close()
		return nil, &NotRegularError{Path: path, Mode: fi.Mode()}
	}
	return fh, nil
}

// ReadRegular reads a whole regular file of at most limit bytes; a
// larger one is an error saying so, without reading it all.
func ReadRegular(path string, limit int64) ([]byte, error) {
	fh, err := OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, msg.Errorf("auth.file_too_large", "Path", path, "Max", limit)
	}
	return b, nil
}
