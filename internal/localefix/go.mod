module early.tokentray/localefix

go 1.24
