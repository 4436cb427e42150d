module github.com/axme-ai/axme/examples

go 1.24

require github.com/axme-ai/axme/go v0.0.0

replace github.com/axme-ai/axme/go => ../go
