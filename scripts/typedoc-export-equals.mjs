// A TypeDoc plugin for typings written as `export = X` (index.d.ts and
// express.d.ts: the CommonJS shape of the package). TypeDoc names such an
// export `export=` and puts the names a user imports (`createClient`,
// `ClosedError`, `middleware`, …) one level down, in a namespace of that
// name. Users import them as the module's own names, so the reference shows
// them so: the class keeps its declared name (`TierCache`), and the
// namespace's members move up into the module.
import { Converter, ReflectionKind } from 'typedoc'

export function load (app) {
  // The namespaces that were `export=`, to be dissolved into their module.
  let exportedNamespaces = []

  app.converter.on(Converter.EVENT_BEGIN, () => { exportedNamespaces = [] })

  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (reflection.name !== 'export=') return
    reflection.name = context.getSymbolFromReflection(reflection)?.name ?? reflection.name
    if (reflection.kindOf(ReflectionKind.Namespace)) exportedNamespaces.push(reflection)
  })

  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const { project } = context
    for (const namespace of exportedNamespaces) {
      const mod = namespace.parent
      project.mergeReflections(namespace, mod)
      // `export { TierCache, TierCache as default }` inside the namespace:
      // references the module now holds twice, and one from the module to
      // its own class of the same name. One `default` stays: it says what
      // `import X from` gives.
      const kept = new Set()
      for (const child of [...(mod.children ?? [])]) {
        if (!child.kindOf(ReflectionKind.Reference)) continue
        const target = child.getTargetReflectionDeep()
        const selfReference = target.parent === mod && target.name === child.name
        if (selfReference || kept.has(child.name)) project.removeReflection(child)
        else kept.add(child.name)
      }
    }
  })
}
