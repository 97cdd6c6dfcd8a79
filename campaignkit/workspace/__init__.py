"""What the user wrote: the workspace's files read into the model, with the source position of every value.

``documents`` reads YAML with positions, ``model`` holds the typed resources,
``loading`` finds a workspace and loads it, ``template_paths`` and
``template_reads`` say which template files an email may and does read, and
``addresses`` finds the resource a command names as ``KIND.NAME`` or ``NAME``.
Nothing here judges whether a resource is right: that is ``checks``' work.
"""
