@echo off
rem kubectl_complete-velero: kubectl (1.26 or newer) runs this for `kubectl velero <TAB>`;
rem it answers with the kubectl-velero.exe beside it, or else the one on PATH.
if exist "%~dp0kubectl-velero.exe" ("%~dp0kubectl-velero.exe" __complete %*) else (kubectl-velero.exe __complete %*)
