# Sourced by ocpizza-start and ocpizza-backup: exports each KEY=VALUE line of the environment
# file $1 as it is written, as systemd's EnvironmentFile= reads it (no shell evaluation: a value
# may hold spaces, < > or $; surrounding quotes are removed; # lines and blank lines skipped).
load_env_file() {
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in '' | '#'*) continue ;; esac
    key=${line%%=*}
    value=${line#*=}
    case "$value" in
      \"*\") value=${value#\"}; value=${value%\"} ;;
      \'*\') value=${value#\'}; value=${value%\'} ;;
    esac
    export "$key=$value"
  done < "$1"
}
