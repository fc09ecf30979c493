// The tests drive bash, the stand-in CLIs (python3), /proc and Unix file modes: they run on Linux (and WSL), as CI does.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
