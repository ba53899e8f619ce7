{
  "targets": [
    {
      "target_name": "shoutu_inflate",
      "sources": ["inflate.c"],
      "libraries": ["-ldeflate"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
