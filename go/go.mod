module github.com/axme-ai/axme/go

go 1.24
