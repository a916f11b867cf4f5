// An application as its applicant sees it (lib/applications.ts): where each material goes on the
// page, when the commitment is asked for, the problems the server names at materials and form
// fields, and the checks of a file before it is sent.
import { describe, expect, it } from 'vitest'
import { ApiError } from '@/api/client'
import { fileProblem, groupMaterials, groupOf, mediaTypeOf, needsCommitment, pointerMessages, type AppMaterial } from '@/lib/applications'

function material(code: string, source: string, state: string, extra: Partial<AppMaterial> = {}): AppMaterial {
  return { code, name_zh: code, name_en: code, source, core: true, items: ['X'], state, refused: false, upload_types: ['application/pdf'], max_bytes: 1024, ...extra }
}

describe('groupOf', () => {
  it('puts what was filled in first, forms to fill in, and everything else to upload', () => {
    expect(groupOf(material('a', 'resource', 'fetched'))).toBe('filled')
    expect(groupOf(material('b', 'certificate', 'wallet'))).toBe('filled')
    expect(groupOf(material('c', 'form', 'missing'))).toBe('form')
    expect(groupOf(material('d', 'form', 'form'))).toBe('form')
    expect(groupOf(material('e', 'upload', 'missing'))).toBe('upload')
    expect(groupOf(material('f', 'upload', 'uploaded'))).toBe('upload')
  })

  it('sends a refused or missing record or certificate to the uploads, and keeps it there once uploaded', () => {
    expect(groupOf(material('a', 'resource', 'missing', { refused: true }))).toBe('upload')
    expect(groupOf(material('a', 'resource', 'missing', { problem: { code: 'exchange.no_grant' } }))).toBe('upload')
    expect(groupOf(material('b', 'certificate', 'missing'))).toBe('upload')
    expect(groupOf(material('a', 'resource', 'uploaded', { refused: true }))).toBe('upload')
  })

  it('keeps the order of the materials within each group', () => {
    const g = groupMaterials([material('u1', 'upload', 'missing'), material('r', 'resource', 'fetched'), material('u2', 'upload', 'missing')])
    expect(g.upload.map((m) => m.code)).toEqual(['u1', 'u2'])
    expect(g.filled.map((m) => m.code)).toEqual(['r'])
    expect(g.form).toEqual([])
  })
})

describe('needsCommitment', () => {
  it('asks for it while an optional material is missing, not for a core one', () => {
    expect(needsCommitment([material('a', 'upload', 'missing')])).toBe(false)
    expect(needsCommitment([material('a', 'upload', 'missing', { core: false })])).toBe(true)
    expect(needsCommitment([material('a', 'upload', 'uploaded', { core: false })])).toBe(false)
  })
})

describe('pointerMessages', () => {
  const refused = new ApiError({
    code: 'validation_failed',
    title: 'Bad Request',
    status: 400,
    detail: '3 problems',
    errors: [
      { code: 'services.material_required', detail: 'articles is required', pointer: '/materials/articles' },
      { code: 'services.commitment_required', detail: 'commit to the floor plan', pointer: '/materials/floor_plan' },
      { code: 'x', detail: 'second message', pointer: '/materials/articles' },
      { code: 'field.required', detail: 'is required', pointer: '/values/premises' },
    ],
  })

  it('gives the first message for each name under the prefix', () => {
    expect(pointerMessages(refused, '/materials/')).toEqual({ articles: 'articles is required', floor_plan: 'commit to the floor plan' })
    expect(pointerMessages(refused, '/values/')).toEqual({ premises: 'is required' })
  })

  it('gives nothing for what is not a problem from the server', () => {
    expect(pointerMessages(new Error('boom'), '/materials/')).toEqual({})
  })
})

describe('files', () => {
  it('takes the type the browser gives, or the extension when it gives none', () => {
    expect(mediaTypeOf({ name: 'a.pdf', type: 'application/pdf' })).toBe('application/pdf')
    expect(mediaTypeOf({ name: 'scan.JPG', type: '' })).toBe('image/jpeg')
    expect(mediaTypeOf({ name: 'x.png', type: '' })).toBe('image/png')
    expect(mediaTypeOf({ name: 'notes', type: '' })).toBe('')
  })

  it('refuses a type the material does not take, an empty file and one too large', () => {
    const m = { upload_types: ['application/pdf', 'image/png'], max_bytes: 100 }
    expect(fileProblem({ name: 'a.pdf', type: 'application/pdf', size: 100 }, m)).toBeNull()
    expect(fileProblem({ name: 'a.jpg', type: 'image/jpeg', size: 10 }, m)).toBe('type')
    expect(fileProblem({ name: 'a.txt', type: 'text/plain', size: 10 }, m)).toBe('type')
    expect(fileProblem({ name: 'a.png', type: 'image/png', size: 0 }, m)).toBe('empty')
    expect(fileProblem({ name: 'a.png', type: 'image/png', size: 101 }, m)).toBe('size')
  })
})
