"""
Storing the demo's drawings and making their renditions.

File names are derived from what a drawing shows (its key), so a file that an
earlier run stored is reused as it is, and one file serves every piece that
shares its drawing. Renditions are made once per distinct file, right after
it is stored: the project's imagekit strategy is Optimistic, so pages assume
renditions exist and never make them while a shopper waits.

Drawing and encoding are CPU-bound and touch no database, so they run in
worker processes while the main process writes rows; with one core, without
fork, or in a process that already runs other threads, they run in line.
"""

import multiprocessing
import os
import threading

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from catalog.demo import drawing, workshop

# The renditions each model declares; generating them here is what the
# Optimistic strategy would have done on save, which bulk_create skips.
PIECE_RENDITIONS = ("image_card", "image_card_2x", "image_display", "image_thumb")
PROCESS_PHOTO_RENDITIONS = ("image_card", "image_display")


def piece_photo_name(piece_drawing):
    return f"pieces/demo/{piece_drawing.shape}-{piece_drawing.key}.jpg"


def process_photo_name(process_drawing):
    return f"process/demo/{process_drawing.kind}-{process_drawing.key}.jpg"


def store(name, spec):
    """Draw `spec` and save it under `name`, unless a file of that name is already stored."""
    if default_storage.exists(name):
        return False
    render = workshop.render if isinstance(spec, workshop.ProcessDrawing) else drawing.render
    actual = default_storage.save(name, ContentFile(drawing.encode(render(spec))))
    if actual != name:
        # Another process stored the same drawing first: the files are identical, keep one.
        default_storage.delete(actual)
    return True


def make_renditions(name, for_process_photo):
    """Generate every rendition the models declare for this file (skipped when it exists)."""
    from artisans.models import ProcessPhoto
    from catalog.models import PieceImage

    holder = PieceImage(image=name)
    for field in PIECE_RENDITIONS:
        getattr(holder, field).generate()
    if for_process_photo:
        holder = ProcessPhoto(image=name)
        for field in PROCESS_PHOTO_RENDITIONS:
            getattr(holder, field).generate()


def produce(job):
    """Store one distinct file and make its renditions; returns whether it was drawn anew."""
    name, spec = job
    drawn = store(name, spec)
    make_renditions(name, for_process_photo=isinstance(spec, workshop.ProcessDrawing))
    return drawn


class Producer:
    """
    Produces files as the generator asks for them, each distinct name once.

    With more than one core, jobs go to a pool of forked workers as soon as
    they are submitted, so drawing overlaps the database writes; `finish()`
    waits for them. Fork is required because the workers inherit the
    configured settings (and the test's MEDIA_ROOT) without setting Django up
    again; they never use the database connection they inherit.
    """

    def __init__(self, workers=None):
        self.names = {}
        self.results = []
        workers = workers if workers is not None else default_workers()
        self.pool = None
        if workers > 1:
            self.pool = multiprocessing.get_context("fork").Pool(workers)

    def submit(self, name, spec):
        """Ask for `name` to be drawn from `spec`; a name asked for before is not drawn again."""
        if name in self.names:
            return name
        self.names[name] = spec
        if self.pool is not None:
            self.results.append(self.pool.apply_async(produce, ((name, spec),)))
        else:
            self.results.append((name, spec))
        return name

    def finish(self, progress=None):
        """Wait for every file; returns how many were drawn (the rest were already stored)."""
        drawn = 0
        try:
            for result in self.results:
                drawn += result.get() if self.pool is not None else produce(result)
                if progress is not None:
                    progress.update(1)
        finally:
            self.close()
        return drawn

    def close(self):
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None


def default_workers():
    # Fork copies only the calling thread: a lock another thread holds (a test
    # runner's, a progress bar's) would stay locked forever in the child.
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return min(cores, 4)
