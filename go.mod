module github.com/goerst/erst

go 1.26
