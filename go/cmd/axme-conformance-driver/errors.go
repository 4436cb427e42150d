package main

import (
	"context"
	"errors"

	axme "github.com/axme-ai/axme/go"
)

// argError is a problem with the harness's arguments (client-side
// validation, reported as Validation).
type argError struct{ msg string }

func (e *argError) Error() string { return e.msg }

// errorObject maps an SDK error onto the protocol's error object (the
// same members the Python driver writes for each kind).
func errorObject(err error) map[string]any {
	typ := errorType(err)
	out := map[string]any{"type": typ, "message": err.Error()}
	var apiErr *axme.APIError
	// A StreamError or WaitTimeoutError may wrap the last API error; the
	// protocol reports only the wrapper (status, code, retryable null).
	wrapper := typ == "Stream" || typ == "WaitTimeout"
	switch {
	case !wrapper && errors.As(err, &apiErr):
		out["status"] = apiErr.StatusCode
		out["code"] = apiErr.Code
		out["retryable"] = apiErr.Retryable
		out["message"] = apiErr.Message
		out["request_id"] = nilIfEmpty(apiErr.RequestID)
		out["retry_after"] = nil
		if apiErr.RetryAfter > 0 {
			out["retry_after"] = apiErr.RetryAfter.Seconds()
		}
	case typ != "Canceled" && typ != "Unsupported" && typ != "DriverError":
		out["status"], out["code"], out["retryable"] = nil, nil, nil
	}
	return out
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func errorType(err error) string {
	var argErr *argError
	kinds := []struct {
		kind error
		name string
	}{
		// first: a StreamError or WaitTimeoutError may wrap the last API error
		{axme.ErrWaitTimeout, "WaitTimeout"},
		{axme.ErrStream, "Stream"},
		{axme.ErrBadRequest, "BadRequest"},
		{axme.ErrAuthentication, "Authentication"},
		{axme.ErrPermissionDenied, "PermissionDenied"},
		{axme.ErrNotFound, "NotFound"},
		{axme.ErrConflict, "Conflict"},
		{axme.ErrValidation, "Validation"},
		{axme.ErrRateLimit, "RateLimit"},
		{axme.ErrServer, "Server"},
		{axme.ErrTimeout, "Timeout"},
		{axme.ErrConnection, "Connection"},
		{context.Canceled, "Canceled"},
	}
	for _, k := range kinds {
		if errors.Is(err, k.kind) {
			return k.name
		}
	}
	if errors.As(err, &argErr) {
		return "Validation"
	}
	var unsup *unsupported
	if errors.As(err, &unsup) {
		return "Unsupported"
	}
	return "DriverError"
}
