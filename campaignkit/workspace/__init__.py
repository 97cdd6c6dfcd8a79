"""What the user wrote: the workspace's files read into the model, with the source position of every value.

``files`` reads a file of the workspace only if it is a regular file inside it,
``documents`` reads YAML with positions, ``model`` holds the typed resources,
``loading`` finds a workspace and loads it, ``template_paths`` and
``template_reads`` say which template files an email may and does read,
``addresses`` finds the resource a command names as ``KIND.NAME`` or ``NAME``,
``schema`` checks documents against their kind's JSON Schema, ``values`` says
whether a value fits a field, and ``prospects`` reads a prospect file.
Nothing here judges whether a resource is right: that is ``checks``' work.
"""
