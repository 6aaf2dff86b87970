"""Stories: the threads that articles form over time (online detection in `detect`)."""

from kroniek.stories.detect import Assignment, StoryDetector, StoryItem, StoryParams, stems

__all__ = ["Assignment", "StoryDetector", "StoryItem", "StoryParams", "stems"]
